"""Whatever a webhook is sent, it answers 200 (with named errors) or 422, never a 500."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client as HttpClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from steward.monitoring.services.alert_intake import create_source

SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5)
    ),
    max_leaves=20,
)
ALERT = st.fixed_dictionaries(
    {"status": st.sampled_from(["firing", "resolved", "other"])},
    optional={
        "key": st.text(max_size=30),
        "labels": st.dictionaries(st.sampled_from(["asset", "instance", "severity"]), st.text()),
        "startsAt": st.sampled_from(["2026-11-30T12:00:00Z", "nope", "0001-01-01T00:00:00Z"]),
        "at": st.text(max_size=30),
        "client": st.text(max_size=10),
    },
)
BODIES = JSON | st.fixed_dictionaries({"alerts": st.lists(ALERT, max_size=3)}) | st.lists(ALERT)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=BODIES, path=st.sampled_from(["alertmanager", "webhook"]))
def test_no_body_makes_a_server_error(world: Any, body: Any, path: str) -> None:
    _source, token = create_source(world.acme, name="fuzz")
    http = HttpClient(headers={"Authorization": f"Bearer {token}"})
    answer = http.post(f"/api/v1/alerts/{path}", json.dumps(body), content_type="application/json")
    assert answer.status_code in (200, 422), answer.content
    data = answer.json()
    if answer.status_code == 200:
        assert all(set(e) == {"loc", "msg"} for e in data["errors"])
    else:
        assert data["detail"]
