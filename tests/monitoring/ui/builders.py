"""Acme objects of the alerting models for the generated isolation walks (registered by
tests/test_ui_isolation.py unless tests/monitoring/builders.py provides them). Names carry
"Acme", so the leak detector fires on any body that shows them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import models
from django.utils import timezone

from steward.monitoring.choices import AlertPhase, AlertSource
from steward.monitoring.models import Alert, AlertRule, MaintenanceWindow
from steward.monitoring.services import alert_rules, windows


def acme_alert(world: Any) -> Alert:
    found = Alert.objects.filter(client=world.acme).order_by("pk").first()
    now = timezone.now()
    return found or Alert.objects.create(
        client=world.acme,
        source=AlertSource.RULE,
        rule_id="cpu-high",
        key="cpu-high:acme-isolation",
        phase=AlertPhase.FIRING,
        summary="Acme CPU high",
        firing_since=now,
        started_at=now,
    )


def acme_alert_rule(world: Any) -> AlertRule:
    found = AlertRule.objects.filter(client=world.acme).order_by("pk").first()
    return found or alert_rules.create_rule(
        world.acme, None, rule_id="cpu-high", threshold=95.0, summary="Acme CPU"
    )


def acme_window(world: Any) -> MaintenanceWindow:
    found = MaintenanceWindow.objects.filter(client=world.acme).order_by("pk").first()
    return found or windows.create_window(
        world.acme,
        title="Acme patch night",
        starts_at=timezone.now(),
        ends_at=timezone.now() + timedelta(hours=2),
    )


ALERTING_BUILDERS: dict[str, Callable[[Any], models.Model]] = {
    "monitoring.maintenancewindow": acme_window,
    "monitoring.alert": acme_alert,
    "monitoring.alertrule": acme_alert_rule,
}
