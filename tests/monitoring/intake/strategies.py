"""Hypothesis strategies for webhook payloads: any JSON, and valid alerts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import strategies as st

from steward.monitoring.intake.model import format_time

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)

json_values: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5)
    ),
    max_leaves=25,
)
names = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=20)
label_maps = st.dictionaries(names, st.text(max_size=30), max_size=6)
# Hypothesis takes naive bounds and attaches the zone itself.
times = st.datetimes(
    min_value=datetime(2000, 1, 1),  # noqa: DTZ001
    max_value=datetime(2100, 1, 1),  # noqa: DTZ001
    timezones=st.just(UTC),
)
offsets = st.sampled_from(["Z", "+00:00", "+05:30", "-08:00", "+14:00"])


@st.composite
def rfc3339(draw: st.DrawFn) -> str:
    moment = draw(times)
    text = format_time(moment)
    zone = draw(offsets)
    if zone == "Z":
        return text
    sign = 1 if zone[0] == "+" else -1
    shift = sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
    local = (moment + shift).replace(tzinfo=None).isoformat()
    return f"{local}{zone}"


@st.composite
def alertmanager_alerts(draw: st.DrawFn) -> dict[str, Any]:
    labels = draw(label_maps)
    if draw(st.booleans()):
        labels["severity"] = draw(st.sampled_from(["critical", "warning", "info", "error", "x"]))
    if draw(st.booleans()):
        labels[draw(st.sampled_from(["client", "steward_client"]))] = draw(names)
    if draw(st.booleans()):
        labels[draw(st.sampled_from(["asset", "instance", "steward_asset"]))] = draw(names)
    alert: dict[str, Any] = {
        "status": draw(st.sampled_from(["firing", "resolved"])),
        "labels": labels,
        "annotations": draw(label_maps),
        "startsAt": draw(rfc3339()),
        "endsAt": draw(st.sampled_from(["0001-01-01T00:00:00Z"]) | rfc3339()),
    }
    if draw(st.booleans()):
        alert["fingerprint"] = draw(st.text("0123456789abcdef", min_size=16, max_size=16))
    if draw(st.booleans()):
        alert["generatorURL"] = "http://prometheus:9090/graph?g0.expr=up"
    return alert


@st.composite
def alertmanager_payloads(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "version": "4",
        "groupKey": '{}:{alertname="X"}',
        "truncatedAlerts": 0,
        "status": "firing",
        "receiver": "steward",
        "groupLabels": {},
        "commonLabels": {},
        "commonAnnotations": {},
        "externalURL": "http://alertmanager:9093",
        "alerts": draw(st.lists(alertmanager_alerts(), max_size=5)),
    }


@st.composite
def generic_alerts(draw: st.DrawFn) -> dict[str, Any]:
    alert: dict[str, Any] = {
        "key": draw(names.filter(lambda k: k.strip() == k and k.strip())),
        "status": draw(st.sampled_from(["firing", "resolved"])),
    }
    optional = {
        "severity": st.sampled_from(["critical", "major", "minor", "warning", "info"]),
        "summary": st.text(max_size=40),
        "description": st.text(max_size=80),
        "labels": label_maps,
        "client": names,
        "asset": names,
        "at": rfc3339(),
    }
    for name, strategy in optional.items():
        if draw(st.booleans()):
            alert[name] = draw(strategy)
    return alert
