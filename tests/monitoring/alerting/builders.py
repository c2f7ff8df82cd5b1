"""One Acme object of each alerting model, for the generated isolation walks
(tests/test_isolation.py). Names carry "Acme", so the leak detector fires on any body that
shows them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.db import models

from steward.monitoring.models import Alert, AlertEvent, AlertRule, MaintenanceWindow, WebhookSource
from steward.monitoring.services import alert_intake, alert_rules, windows
from tests.monitoring.builders import acme_asset

MOMENT = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def acme_alert(world: Any) -> Alert:
    found = Alert.objects.filter(client=world.acme).order_by("pk").first()
    if found is not None:
        return found
    alert = Alert.objects.create(
        client=world.acme,
        asset=acme_asset(world),
        source="webhook",
        rule_id="generic",
        key="acme-isolation-alert",
        phase="firing",
        severity="major",
        summary="Acme backup failed",
        firing_since=MOMENT,
        started_at=MOMENT,
    )
    AlertEvent.objects.create(alert=alert, kind="firing", at=MOMENT, reason="Acme backup failed")
    return alert


def acme_rule(world: Any) -> AlertRule:
    found = AlertRule.objects.filter(client=world.acme).order_by("pk").first()
    return found or alert_rules.create_rule(
        world.acme, None, rule_id="cpu-high", threshold=95.0, summary="Acme CPU"
    )


def acme_window(world: Any) -> MaintenanceWindow:
    found = MaintenanceWindow.objects.filter(client=world.acme).order_by("pk").first()
    return found or windows.create_window(
        world.acme,
        [acme_asset(world)],
        title="Acme patch night",
        starts_at=MOMENT,
        rrule="FREQ=WEEKLY;BYDAY=SU",
        duration_seconds=7200,
        timezone="Europe/Berlin",
    )


def acme_source(world: Any) -> WebhookSource:
    found = WebhookSource.objects.filter(client=world.acme).order_by("pk").first()
    if found is not None:
        return found
    source, _token = alert_intake.create_source(world.acme, name="Acme Prometheus")
    return source


ALERTING_BUILDERS: dict[str, Callable[[Any], models.Model]] = {
    "monitoring.alert": acme_alert,
    "monitoring.alertrule": acme_rule,
    "monitoring.maintenancewindow": acme_window,
    "monitoring.webhooksource": acme_source,
}
