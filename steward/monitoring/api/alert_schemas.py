"""API schemas of alerting: alerts and their events, maintenance windows, rule overrides and
extra rules, webhook sources."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import Field

from steward.api.params import OptionalId
from steward.core.validation import MAX_ID
from steward.monitoring.choices import (
    AlertPhase,
    AlertSeverity,
    ComparisonChoice,
    RuleKindChoice,
)

Id = Field(ge=1, le=MAX_ID)
Seconds = Field(default=None, ge=0, le=10 * 365 * 86_400)


class AlertFilters(Schema):
    client_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    asset_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    state: AlertPhase | None = None
    severity: AlertSeverity | None = None


class AlertOut(Schema):
    id: int
    client_id: int
    asset_id: int | None
    series_id: int | None
    check_id: int | None = Field(validation_alias="from_check_id")
    source: str
    rule_id: str
    webhook_source_id: int | None
    key: str
    state: str = Field(validation_alias="phase")
    severity: str
    summary: str
    description: str
    labels: dict[str, str]
    value: float | None
    suppressed: str
    flapping_since: datetime | None
    forecast_crossing_at: datetime | None
    started_at: datetime | None
    resolved_at: datetime | None
    next_evaluation_at: datetime | None
    ticket_id: int | None
    acknowledged_at: datetime | None
    acknowledged_by_id: int | None
    updated_at: datetime


class AlertEventOut(Schema):
    id: int
    kind: str
    at: datetime
    reason: str
    suppressed: str
    told: bool
    value: float | None
    actor_id: int | None


class AlertDetail(AlertOut):
    forecast: dict[str, object] | None
    events: list[AlertEventOut]


class AcknowledgeIn(Schema):
    note: str = Field(default="", max_length=2000)


class WindowIn(Schema):
    client_id: int = Id
    asset_ids: list[int] = Field(default_factory=list, max_length=1000)
    title: str = Field(min_length=1, max_length=200)
    starts_at: datetime
    ends_at: datetime | None = None
    rrule: str = Field(default="", max_length=500)
    duration_seconds: int = Field(default=0, ge=0, le=366 * 86_400)
    timezone: str = Field(default="UTC", max_length=64)
    shown_to_client: bool = True


class WindowPatch(Schema):
    asset_ids: list[int] | None = Field(default=None, max_length=1000)
    title: str | None = Field(default=None, min_length=1, max_length=200)
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    rrule: str | None = Field(default=None, max_length=500)
    duration_seconds: int | None = Field(default=None, ge=0, le=366 * 86_400)
    timezone: str | None = Field(default=None, max_length=64)
    shown_to_client: bool | None = None


class WindowOut(Schema):
    id: int
    client_id: int
    asset_ids: list[int]
    title: str
    starts_at: datetime
    ends_at: datetime | None
    rrule: str
    duration_seconds: int
    timezone: str
    shown_to_client: bool
    created_by_id: int | None


class OccurrenceOut(Schema):
    maintenance_window_id: int
    client_id: int
    title: str
    start: datetime
    end: datetime


class UpcomingFilters(Schema):
    client_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    days: int = Field(default=14, ge=1, le=366)


class RuleIn(Schema):
    client_id: OptionalId = None
    asset_id: OptionalId = None
    rule_id: str = Field(min_length=1, max_length=100, pattern=r"^[-a-zA-Z0-9_]+$")
    enabled: bool = True
    threshold: float | None = None
    recovery_threshold: float | None = None
    for_seconds: int | None = Seconds
    window_seconds: int | None = Seconds
    horizon_seconds: int | None = Seconds
    severity: AlertSeverity | None = None
    kind: RuleKindChoice | None = None
    metric: str = Field(default="", max_length=200)
    match_labels: dict[str, str] = Field(default_factory=dict)
    comparison: ComparisonChoice | None = None
    summary: str = Field(default="", max_length=200)


class RulePatch(Schema):
    enabled: bool | None = None
    threshold: float | None = None
    recovery_threshold: float | None = None
    for_seconds: int | None = Seconds
    window_seconds: int | None = Seconds
    horizon_seconds: int | None = Seconds
    severity: AlertSeverity | None = None
    metric: str | None = Field(default=None, max_length=200)
    match_labels: dict[str, str] | None = None
    comparison: ComparisonChoice | None = None
    summary: str | None = Field(default=None, max_length=200)


class RuleOut(Schema):
    id: int
    client_id: int | None
    asset_id: int | None
    rule_id: str
    enabled: bool
    threshold: float | None
    recovery_threshold: float | None
    for_seconds: int | None
    window_seconds: int | None
    horizon_seconds: int | None
    severity: str
    kind: str
    metric: str
    match_labels: dict[str, str]
    comparison: str
    summary: str


class RuleFilters(Schema):
    client_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    asset_id: int | None = Field(default=None, ge=1, le=MAX_ID)


class SourceIn(Schema):
    client_id: int = Id
    name: str = Field(min_length=1, max_length=200)
    asset_labels: list[str] = Field(default_factory=list, max_length=10)


class SourceOut(Schema):
    id: int
    client_id: int
    name: str
    asset_labels: list[str]
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class SourceCreated(SourceOut):
    token: str = Field(description="Shown once: only its hash is stored")


class IntakeErrorOut(Schema):
    loc: str
    msg: str


class IntakeOut(Schema):
    accepted: int
    errors: list[IntakeErrorOut]
