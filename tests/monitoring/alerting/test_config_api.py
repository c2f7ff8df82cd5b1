"""Maintenance windows, rule overrides and acknowledgements through the user API."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine

from steward.core.models import AuditEntry
from steward.monitoring import services
from steward.monitoring.models import Alert, AlertRule, Asset
from steward.monitoring.services.alert_rules import rule_book
from tests.monitoring.alerting.builders import acme_alert
from tests.monitoring.alerting.conftest import T0

JSON = "application/json"


@pytest.fixture
def server(world: Any) -> Asset:
    return services.create_asset(world.acme, name="web-01", kind="server")


def test_windows_crud_and_upcoming(world: Any, server: Asset) -> None:
    http = world.bearer(world.bob)
    body = {
        "client_id": world.acme.pk,
        "asset_ids": [server.pk],
        "title": "Sunday patching",
        "starts_at": "2026-11-29T02:00:00+01:00",
        "rrule": "FREQ=WEEKLY;BYDAY=SU",
        "duration_seconds": 7200,
        "timezone": "Europe/Berlin",
    }
    created = http.post("/api/v1/maintenance-windows", body, content_type=JSON)
    assert created.status_code == 201, created.content
    window_id = created.json()["id"]
    assert created.json()["asset_ids"] == [server.pk]
    with time_machine.travel(T0, tick=False):
        upcoming = http.get(f"/api/v1/maintenance-windows/upcoming?client_id={world.acme.pk}")
    starts = [o["start"] for o in upcoming.json()]
    assert starts == ["2026-12-06T01:00:00Z", "2026-12-13T01:00:00Z"]
    changed = http.patch(
        f"/api/v1/maintenance-windows/{window_id}", {"title": "Patch night"}, content_type=JSON
    )
    assert changed.json()["title"] == "Patch night"
    carol = world.bearer(world.carol).get("/api/v1/maintenance-windows").json()["items"]
    assert [w["id"] for w in carol] == [window_id]
    assert http.delete(f"/api/v1/maintenance-windows/{window_id}").status_code == 204
    assert AuditEntry.objects.filter(object_type="monitoring.maintenancewindow").count() >= 3


@pytest.mark.parametrize(
    ("changes", "field", "text"),
    [
        ({"rrule": "FREQ=WEEKLY;BYDAY=SUN"}, "rrule", "rrule.BYDAY"),
        ({"rrule": "", "ends_at": None}, "ends_at", "needs an end"),
        ({"timezone": "Mars/Olympus"}, "timezone", "Mars/Olympus"),
    ],
)
def test_a_bad_window_is_refused_naming_the_field(
    world: Any, changes: dict[str, Any], field: str, text: str
) -> None:
    body = {
        "client_id": world.acme.pk,
        "title": "Patching",
        "starts_at": "2026-11-29T02:00:00Z",
        "rrule": "FREQ=WEEKLY;BYDAY=SU",
        "duration_seconds": 3600,
        **changes,
    }
    answer = world.bearer(world.bob).post("/api/v1/maintenance-windows", body, content_type=JSON)
    assert answer.status_code == 422
    assert field in answer.content.decode()
    assert text in answer.content.decode()


def test_rule_overrides_change_the_effective_rules(world: Any, server: Asset) -> None:
    http = world.bearer(world.bob)
    client_wide = {"client_id": world.acme.pk, "rule_id": "cpu-high", "threshold": 95}
    assert http.post("/api/v1/alert-rules", client_wide, content_type=JSON).status_code == 201
    off = {"asset_id": server.pk, "rule_id": "memory-high", "enabled": False}
    assert http.post("/api/v1/alert-rules", off, content_type=JSON).status_code == 201
    extra = {
        "client_id": world.acme.pk,
        "rule_id": "queue-long",
        "kind": "threshold",
        "metric": "queue_length",
        "threshold": 100,
        "severity": "minor",
    }
    assert http.post("/api/v1/alert-rules", extra, content_type=JSON).status_code == 201
    rules = {r.id: r for r in rule_book(world.acme.pk).rules_for(server.pk, "server")}
    assert (rules["cpu-high"].threshold, rules["cpu-high"].recovery_threshold) == (95, 85)
    assert "memory-high" not in rules
    assert rules["queue-long"].selector.metric == "queue_length"


@pytest.mark.parametrize(
    ("body", "text"),
    [
        ({"rule_id": "cpu-hihg"}, "no default rule 'cpu-hihg'"),
        ({"rule_id": "cpu-high", "recovery_threshold": 99}, "recovery_threshold"),
        ({"rule_id": "own", "kind": "absence", "metric": "x"}, "window_seconds"),
    ],
)
def test_a_bad_rule_is_refused_naming_the_field(
    world: Any, body: dict[str, Any], text: str
) -> None:
    answer = world.bearer(world.bob).post(
        "/api/v1/alert-rules", {"client_id": world.acme.pk, **body}, content_type=JSON
    )
    assert answer.status_code == 422, answer.content
    assert text in answer.content.decode()
    assert not AlertRule.objects.exists()


def test_global_rules_need_staff_who_see_every_client(world: Any) -> None:
    body = {"rule_id": "cpu-high", "threshold": 97}
    assert (
        world.bearer(world.bob).post("/api/v1/alert-rules", body, content_type=JSON).status_code
        == 403
    )
    assert (
        world.bearer(world.alice).post("/api/v1/alert-rules", body, content_type=JSON).status_code
        == 201
    )
    assert world.bearer(world.carol).get("/api/v1/alert-rules").json()["items"] == []


def test_acknowledge_records_who_and_the_note(world: Any) -> None:
    alert = acme_alert(world)
    answer = world.bearer(world.bob).post(
        f"/api/v1/alerts/{alert.pk}/acknowledge", {"note": "on it"}, content_type=JSON
    )
    assert answer.status_code == 200
    events = [(e["kind"], e["reason"]) for e in answer.json()["events"]]
    assert ("acknowledged", "on it") in events
    assert Alert.objects.get().acknowledged_by == world.bob
    assert (
        world.bearer(world.carol)
        .post(f"/api/v1/alerts/{alert.pk}/acknowledge", {}, content_type=JSON)
        .status_code
        == 403
    )
    filtered = world.bearer(world.bob).get("/api/v1/alerts?state=firing&severity=major").json()
    assert [a["id"] for a in filtered["items"]] == [alert.pk]
    assert world.bearer(world.bob).get("/api/v1/alerts?state=ok").json()["items"] == []
