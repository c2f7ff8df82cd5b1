"""Alertmanager and generic JSON alerts end to end through the HTTP routes (Django's test
client, the full middleware and API): tickets opened and resolved, refusals named, and a
source's token confined to its client."""

from __future__ import annotations

import json
from typing import Any

import pytest
import time_machine
from django.test import Client as HttpClient

from steward.monitoring import services
from steward.monitoring.models import Alert, Asset
from steward.servicedesk.choices import Status
from tests.monitoring.alerting.conftest import at, tickets

AM = "/api/v1/alerts/alertmanager"
GENERIC = "/api/v1/alerts/webhook"


def am_alert(status: str, **labels: str) -> dict[str, Any]:
    return {
        "status": status,
        "labels": {"alertname": "HighLoad", "severity": "critical", **labels},
        "annotations": {"summary": "Load above 20"},
        "startsAt": "2026-11-30T12:01:00Z",
        "endsAt": "2026-11-30T12:09:00Z" if status == "resolved" else "0001-01-01T00:00:00Z",
        "fingerprint": "a1b2c3",
    }


def am_payload(*alerts: dict[str, Any]) -> dict[str, Any]:
    return {"version": "4", "status": "firing", "receiver": "steward", "alerts": list(alerts)}


@pytest.fixture
def server(world: Any) -> Asset:
    return services.create_asset(world.acme, name="web-01", kind="server", hostname="web-01")


@pytest.fixture
def token(world: Any) -> str:
    answer = world.bearer(world.alice).post(
        "/api/v1/webhook-sources",
        {"client_id": world.acme.pk, "name": "Prometheus"},
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.content
    plain: str = answer.json()["token"]
    assert plain.startswith("swh_")
    return plain


def send(token: str, path: str, body: Any, moment: Any = None) -> Any:
    http = HttpClient(headers={"Authorization": f"Bearer {token}"})
    data = body if isinstance(body, bytes) else json.dumps(body)
    with time_machine.travel(moment or at(2), tick=False):
        return http.post(path, data, content_type="application/json")


def test_alertmanager_opens_then_resolves_a_ticket(world: Any, server: Asset, token: str) -> None:
    answer = send(token, AM, am_payload(am_alert("firing", instance="web-01:9100")))
    assert answer.json() == {"accepted": 1, "errors": []}
    (ticket,) = tickets(world.acme)
    assert (ticket.subject, ticket.priority, ticket.created_at) == (
        "Load above 20 on web-01",
        "P1",
        at(1),
    )
    assert ticket.links.filter(reference=f"asset:{server.pk}").exists()
    # Alertmanager repeats a firing alert: nothing new.
    send(token, AM, am_payload(am_alert("firing", instance="web-01:9100")), at(5))
    assert len(tickets(world.acme)) == 1
    send(token, AM, am_payload(am_alert("resolved", instance="web-01:9100")), at(10))
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED
    alert = Alert.objects.get()
    assert (alert.phase, alert.asset_id, alert.resolved_at) == ("ok", server.pk, at(9))


def test_generic_webhook_keeps_good_alerts_and_names_bad_ones(world: Any, token: str) -> None:
    body = [
        {"key": "backup", "status": "firing", "severity": "major", "summary": "Backup failed"},
        {"key": "x", "status": "firing", "at": "yesterday"},
        {"key": "y", "status": "firing", "client": "globex"},
    ]
    answer = send(token, GENERIC, body)
    assert answer.status_code == 200
    assert answer.json() == {
        "accepted": 1,
        "errors": [
            {"loc": "[1].at", "msg": "not an RFC 3339 time"},
            {"loc": "[2].client", "msg": "'globex' is not this source's client"},
        ],
    }
    assert [t.subject for t in tickets(world.acme)] == ["Backup failed"]


@pytest.mark.parametrize(
    ("headers", "body", "status"),
    [
        ({"Authorization": "Bearer swh_000000000000_nope"}, b"{}", 401),
        ({}, b"{}", 401),
        (None, b"not json", 422),
        (None, b'{"alerts": 3}', 422),
        (None, b"[]", 422),
    ],
)
def test_refusals(token: str, headers: dict[str, str] | None, body: bytes, status: int) -> None:
    http = HttpClient(
        headers=headers if headers is not None else {"Authorization": f"Bearer {token}"}
    )
    answer = http.post(AM, body, content_type="application/json")
    assert answer.status_code == status
    assert "detail" in answer.json()


def test_a_revoked_source_is_refused(world: Any, token: str) -> None:
    from steward.monitoring.models import WebhookSource

    source = WebhookSource.objects.get()
    answer = world.bearer(world.alice).post(f"/api/v1/webhook-sources/{source.pk}/revoke")
    assert answer.status_code == 200
    assert send(token, GENERIC, {"key": "k", "status": "firing"}).status_code == 401


def test_a_token_of_acme_cannot_touch_globex(world: Any, server: Asset, token: str) -> None:
    theirs = services.create_asset(world.globex, name="db-07", kind="server", hostname="db-07")
    send(token, AM, am_payload(am_alert("firing", instance="db-07:9100")))
    alert = Alert.objects.get()
    assert (alert.client_id, alert.asset_id) == (world.acme.pk, None)
    assert tickets(world.globex) == []
    assert not Alert.objects.filter(asset=theirs).exists()


def test_users_of_globex_see_none_of_acme_alerts(world: Any, token: str) -> None:
    send(token, GENERIC, {"key": "k", "status": "firing", "summary": "Acme backup"})
    alert = Alert.objects.get()
    for user in (world.dave, world.eve):
        http = world.bearer(user)
        assert http.get("/api/v1/alerts").json()["items"] == []
        assert http.get(f"/api/v1/alerts/{alert.pk}").status_code == 404
    mine = world.bearer(world.carol).get("/api/v1/alerts").json()["items"]
    assert [a["id"] for a in mine] == [alert.pk]
    detail = world.bearer(world.bob).get(f"/api/v1/alerts/{alert.pk}").json()
    assert [e["kind"] for e in detail["events"]] == ["firing"]
