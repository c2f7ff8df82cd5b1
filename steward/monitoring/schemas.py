"""API schemas of monitoring (``<Thing>In`` / ``<Thing>Out``, STYLE.md §13)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.utils import timezone
from ninja import Schema
from pydantic import Field

from steward.api.params import OptionalId
from steward.core.validation import MAX_ID
from steward.monitoring.choices import AssetKind, CheckType, CollectorKind
from steward.monitoring.models import Asset, Check
from steward.monitoring.services.config import secret_names

Text100 = Field(default="", max_length=100)


class AssetIn(Schema):
    client_id: int = Field(ge=1, le=MAX_ID)
    site_id: OptionalId = None
    owner_id: OptionalId = None
    kind: AssetKind = AssetKind.OTHER
    name: str = Field(min_length=1, max_length=200)
    hostname: str = Field(default="", max_length=255)
    addresses: list[str] = Field(default_factory=list)
    os: str = Text100
    os_version: str = Text100
    serial: str = Text100
    vendor: str = Text100
    model: str = Text100
    purchased_on: date | None = None
    warranty_ends_on: date | None = None
    os_eol_on: date | None = None
    tags: list[str] = Field(default_factory=list)
    key: str = Field(default="", max_length=200)


class AssetPatch(Schema):
    site_id: OptionalId = None
    owner_id: OptionalId = None
    kind: AssetKind | None = None
    name: str | None = Field(default=None, min_length=1, max_length=200)
    hostname: str | None = Field(default=None, max_length=255)
    addresses: list[str] | None = None
    os: str | None = Field(default=None, max_length=100)
    os_version: str | None = Field(default=None, max_length=100)
    serial: str | None = Field(default=None, max_length=100)
    vendor: str | None = Field(default=None, max_length=100)
    model: str | None = Field(default=None, max_length=100)
    purchased_on: date | None = None
    warranty_ends_on: date | None = None
    os_eol_on: date | None = None
    tags: list[str] | None = None


class AssetOut(Schema):
    id: int
    client_id: int
    site_id: int | None
    owner_id: int | None
    kind: str
    name: str
    hostname: str
    addresses: list[str]
    os: str
    os_version: str
    serial: str
    vendor: str
    model: str
    purchased_on: date | None
    warranty_ends_on: date | None
    os_eol_on: date | None
    tags: list[str]
    key: str
    source: str
    created_at: datetime
    last_seen_at: datetime | None
    warranty_expired: bool | None
    os_end_of_life: bool | None

    @staticmethod
    def resolve_warranty_expired(obj: Asset) -> bool | None:
        return obj.warranty_expired(timezone.localdate())

    @staticmethod
    def resolve_os_end_of_life(obj: Asset) -> bool | None:
        return obj.os_end_of_life(timezone.localdate())


class AssetFilters(Schema):
    client_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    site_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    kind: AssetKind | None = None
    source: str | None = None
    q: str | None = Field(default=None, max_length=200)
    tag: str | None = Field(default=None, max_length=100)
    warranty_expired: bool | None = None
    os_end_of_life: bool | None = None


class FactOut(Schema):
    name: str
    value: Any
    status: str
    detail: str
    at: datetime


class CollectorIn(Schema):
    client_id: int = Field(ge=1, le=MAX_ID)
    site_id: OptionalId = None
    kind: CollectorKind
    name: str = Field(min_length=1, max_length=200)


class CollectorOut(Schema):
    id: int
    client_id: int
    site_id: int | None
    kind: str
    name: str
    created_at: datetime
    revoked_at: datetime | None
    last_seen_at: datetime | None
    asset_id: int | None


class CollectorCreated(CollectorOut):
    token: str = Field(description="The collector's token: shown this once, stored hashed")


class CheckIn(Schema):
    collector_id: int = Field(ge=1, le=MAX_ID)
    # The check's client: required with a hosted collector, else the collector's.
    client_id: OptionalId = None
    asset_id: OptionalId = None
    type: CheckType
    name: str = Field(min_length=1, max_length=200)
    params: dict[str, Any] = Field(default_factory=dict)
    interval_s: int = Field(default=60, ge=10, le=86_400)
    timeout_s: int = Field(default=10, ge=1, le=300)
    enabled: bool = True


class CheckPatch(Schema):
    asset_id: OptionalId = None
    type: CheckType | None = None
    name: str | None = Field(default=None, min_length=1, max_length=200)
    params: dict[str, Any] | None = Field(
        default=None, description="Secrets left out keep their stored values"
    )
    interval_s: int | None = Field(default=None, ge=10, le=86_400)
    timeout_s: int | None = Field(default=None, ge=1, le=300)
    enabled: bool | None = None


class CheckOut(Schema):
    id: int
    client_id: int
    collector_id: int
    asset_id: int | None
    type: str
    name: str
    params: dict[str, Any] = Field(description="Without secrets, which are write-only")
    secrets_set: list[str]
    interval_s: int
    timeout_s: int
    enabled: bool
    state: str
    state_since: datetime | None

    @staticmethod
    def resolve_secrets_set(obj: Check) -> list[str]:
        return secret_names(obj)

    @staticmethod
    def resolve_state(obj: Check) -> str:
        current = getattr(obj, "current", None)
        return current.state if current is not None else "pending"

    @staticmethod
    def resolve_state_since(obj: Check) -> datetime | None:
        current = getattr(obj, "current", None)
        return current.since if current is not None else None


class ResultOut(Schema):
    at: datetime
    state: str
    summary: str
    duration_ms: float | None


class SeriesOut(Schema):
    id: int
    client_id: int
    asset_id: int | None
    check_id: int | None = Field(validation_alias="from_check_id")
    metric: str
    labels: dict[str, str]


class SeriesFilters(Schema):
    client_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    asset_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    check_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    metric: str | None = Field(default=None, max_length=200)


class CollectorFilters(Schema):
    client_id: int | None = Field(default=None, ge=1, le=MAX_ID)


class CheckFilters(Schema):
    client_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    collector_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    asset_id: int | None = Field(default=None, ge=1, le=MAX_ID)


class SamplesOut(Schema):
    series: SeriesOut
    source: str = Field(description="raw or rollup (hourly)")
    step: int = Field(description="Seconds per point; 0 for raw points")
    points: list[list[float]] = Field(description="[unix seconds, mean, min, max] per point")
