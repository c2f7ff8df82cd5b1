"""Alerting: rule overrides and extra rules, maintenance windows, alerts (one row per dedup key)
with their history, webhook sources, and the per-client evaluation watermark.

The rule engine (``monitoring.rules``) is pure; these rows are what it reads and writes back
(``services.alerting``). An alert row keeps the serialised ``AlertState`` of its key; its
``next_evaluation_at`` is the running clock (a ``for`` or absence deadline, the end of flapping or
maintenance), indexed where set.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone as django_timezone

from steward.monitoring.choices import (
    AlertEventKind,
    AlertPhase,
    AlertSeverity,
    AlertSource,
    ComparisonChoice,
    RuleKindChoice,
)
from steward.tenancy.scoping import ClientScopedQuerySet


class AlertRuleQuerySet(ClientScopedQuerySet):
    # Global overrides (no client) are MSP configuration: staff see them, contacts never do.
    msp_wide = Q(client__isnull=True)


class AlertRule(models.Model):
    """An override of a default rule (``kind`` empty: only the set fields change it) or an extra
    rule (``kind`` and ``metric`` set). Scope: an asset, a client, or every client (both
    empty: a global default override). The most specific override wins."""

    client = models.ForeignKey(
        "tenancy.Client",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="alert_rules",
    )
    asset = models.ForeignKey(
        "monitoring.Asset",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="alert_rules",
    )
    rule_id = models.SlugField(max_length=100)
    enabled = models.BooleanField(default=True)
    threshold = models.FloatField(null=True, blank=True)
    recovery_threshold = models.FloatField(null=True, blank=True)
    for_seconds = models.PositiveIntegerField(null=True, blank=True)
    window_seconds = models.PositiveIntegerField(null=True, blank=True)
    horizon_seconds = models.PositiveIntegerField(null=True, blank=True)
    severity = models.CharField(max_length=20, choices=AlertSeverity.choices, blank=True)
    # An extra rule (not an override) also names what it watches and how.
    kind = models.CharField(max_length=20, choices=RuleKindChoice.choices, blank=True)
    metric = models.CharField(max_length=200, blank=True)
    match_labels = models.JSONField(default=dict, blank=True)
    comparison = models.CharField(max_length=2, choices=ComparisonChoice.choices, blank=True)
    summary = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=django_timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AlertRuleQuerySet.as_manager()

    class Meta:
        ordering = ["client_id", "asset_id", "rule_id", "pk"]

    def __str__(self) -> str:
        return self.rule_id

    @property
    def is_extra(self) -> bool:
        return bool(self.kind)


class MaintenanceWindow(models.Model):
    """A planned window of one client: one-off (``starts_at``/``ends_at``) or recurring (first
    start, ``rrule``, ``duration_seconds``, wall clock of ``timezone``). No assets: all of the
    client's assets."""

    client = models.ForeignKey(
        "tenancy.Client", on_delete=models.CASCADE, related_name="maintenance_windows"
    )
    assets = models.ManyToManyField(
        "monitoring.Asset", blank=True, related_name="maintenance_windows"
    )
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    rrule = models.CharField(max_length=500, blank=True)
    duration_seconds = models.PositiveIntegerField(default=0)
    timezone = models.CharField(max_length=64, default="UTC")
    shown_to_client = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=django_timezone.now, editable=False)

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        ordering = ["client_id", "starts_at", "pk"]

    def __str__(self) -> str:
        return self.title


class Alert(models.Model):
    """One alert per dedup key: Steward's own (rule and series) or another tool's (webhook
    source and its key). Keeps the engine's state of the key between evaluations."""

    client = models.ForeignKey("tenancy.Client", on_delete=models.CASCADE, related_name="alerts")
    asset = models.ForeignKey(
        "monitoring.Asset", null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts"
    )
    series = models.ForeignKey(
        "monitoring.Series", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Not ``check``: a field of that name would hide Model.check() (Django's models.E020).
    from_check = models.ForeignKey(
        "monitoring.Check",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="alerts",
        db_column="check_id",
    )
    source = models.CharField(max_length=20, choices=AlertSource.choices)
    rule_id = models.CharField(max_length=200)
    webhook_source = models.ForeignKey(
        "monitoring.WebhookSource",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="alerts",
    )
    key = models.CharField(max_length=300, unique=True)
    identity = models.CharField(max_length=300, blank=True)
    phase = models.CharField(max_length=10, choices=AlertPhase.choices, default=AlertPhase.OK)
    severity = models.CharField(
        max_length=20, choices=AlertSeverity.choices, default=AlertSeverity.WARNING
    )
    summary = models.CharField(max_length=500, blank=True)
    description = models.TextField(blank=True)
    labels = models.JSONField(default=dict, blank=True)
    value = models.FloatField(null=True, blank=True)
    # The engine's state (rules.model.AlertState), field by field.
    pending_since = models.DateTimeField(null=True, blank=True)
    firing_since = models.DateTimeField(null=True, blank=True)
    evaluated_at = models.DateTimeField(null=True, blank=True)
    notified = models.CharField(max_length=10, choices=AlertPhase.choices, default=AlertPhase.OK)
    changes = models.JSONField(default=list, blank=True)
    flapping_since = models.DateTimeField(null=True, blank=True)
    suppressed = models.CharField(max_length=20, blank=True)
    forecast = models.JSONField(null=True, blank=True)
    forecast_crossing_at = models.DateTimeField(null=True, blank=True)
    next_evaluation_at = models.DateTimeField(null=True, blank=True)
    # What people see: when it last started and ended, its ticket, who acknowledged it.
    started_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    ticket = models.ForeignKey(
        "servicedesk.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=django_timezone.now, editable=False)
    updated_at = models.DateTimeField(default=django_timezone.now)

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-pk"]
        indexes = [
            models.Index(
                fields=["next_evaluation_at"],
                name="alert_next_evaluation",
                condition=Q(next_evaluation_at__isnull=False),
            ),
            models.Index(fields=["client", "phase"], name="alert_client_phase"),
        ]

    def __str__(self) -> str:
        return self.summary or self.key

    @property
    def reference(self) -> str:
        return f"alert:{self.pk}"


class AlertEventQuerySet(ClientScopedQuerySet):
    client_field = "alert__client"


class AlertEvent(models.Model):
    """One change of an alert (the engine's transitions) or a person's acknowledgement."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=AlertEventKind.choices)
    at = models.DateTimeField()
    reason = models.TextField(blank=True)
    suppressed = models.CharField(max_length=20, blank=True)
    told = models.BooleanField(default=False, help_text="A ticket was opened or resolved")
    value = models.FloatField(null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=django_timezone.now)

    objects = AlertEventQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["alert", "at"], name="alert_event_by_time")]

    def __str__(self) -> str:
        return f"{self.alert_id} {self.kind} @ {self.at}"


class WebhookSource(models.Model):
    """Another tool (Alertmanager, anything posting JSON) sending alerts of one client, with its
    own bearer token (kind ``swh``): hashed here, shown once at creation. ``asset_labels``: the
    labels naming the asset, tried in order (empty: asset, instance, hostname)."""

    client = models.ForeignKey(
        "tenancy.Client", on_delete=models.CASCADE, related_name="webhook_sources"
    )
    name = models.CharField(max_length=200)
    asset_labels = models.JSONField(default=list, blank=True)
    lookup = models.CharField(max_length=12, unique=True, editable=False)
    digest = models.CharField(max_length=64, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=django_timezone.now, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        ordering = ["client_id", "name", "pk"]

    def __str__(self) -> str:
        return self.name


class AlertCycle(models.Model):
    """The evaluation watermark of one client: the ``now`` of its last evaluation cycle. A
    worker claims the next cycle by compare-and-set on it, so two workers never evaluate (and
    open tickets for) the same span twice."""

    client = models.OneToOneField(
        "tenancy.Client", on_delete=models.CASCADE, primary_key=True, related_name="alert_cycle"
    )
    evaluated_at = models.DateTimeField()

    objects = ClientScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.client_id} @ {self.evaluated_at}"
