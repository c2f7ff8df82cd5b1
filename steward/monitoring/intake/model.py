"""Alerts from other tools, normalized; and the field readers both webhooks share.

Every reader takes a JSON value and the path of the field (``alerts[2].startsAt``) and raises
``IntakeError`` naming that path and the reason. A webhook answers with the good alerts kept and
the bad ones listed, like the ingest API.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from enum import StrEnum
from typing import Any

from steward.monitoring.rules.model import Severity

MAX_LABELS = 64
MAX_NAME = 200
MAX_TEXT = 10_000

_RFC3339 = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt ]([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?"
    r"([Zz]|[+-][0-9]{2}:[0-9]{2})",
    re.ASCII,
)


class IncomingStatus(StrEnum):
    FIRING = "firing"
    RESOLVED = "resolved"


class IntakeError(ValueError):
    """A payload part was rejected: ``field`` is its path, ``reason`` says why."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@dataclass(frozen=True)
class IncomingAlert:
    """One alert from another tool, ready for the alert path.

    ``key`` deduplicates (the wiring scopes it by the webhook's token, so two sources cannot
    collide). ``client`` and ``asset`` are references as the source gave them (a slug, a host
    name); the wiring resolves them within the token's client. ``at`` is when this status began:
    the start of a firing alert, the end of a resolved one.
    """

    source: str
    key: str
    status: IncomingStatus
    severity: Severity
    summary: str
    at: datetime
    description: str = ""
    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)
    client: str | None = None
    asset: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    url: str | None = None
    fingerprint: str | None = None


@dataclass(frozen=True)
class IntakeResult:
    """The alerts kept, and the errors of the ones refused (each names its field)."""

    alerts: list[IncomingAlert]
    errors: list[IntakeError]


def read_object(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise IntakeError(where, f"must be a JSON object, not {json_type(value)}")
    return value


def read_string(value: Any, where: str, *, limit: int = MAX_NAME, empty: bool = False) -> str:
    if not isinstance(value, str):
        raise IntakeError(where, f"must be a string, not {json_type(value)}")
    if not empty and not value.strip():
        raise IntakeError(where, "must not be empty")
    if len(value) > limit:
        raise IntakeError(where, f"longer than {limit} characters")
    return value


def read_optional_string(
    data: Mapping[str, Any], name: str, where: str, *, limit: int = MAX_NAME
) -> str | None:
    value = data.get(name)
    if value is None:
        return None
    return read_string(value, f"{where}.{name}" if where else name, limit=limit, empty=True) or None


def read_labels(value: Any, where: str) -> dict[str, str]:
    """A flat object of strings (Prometheus labels, annotations)."""
    if value is None:
        return {}
    data = read_object(value, where)
    if len(data) > MAX_LABELS:
        raise IntakeError(where, f"more than {MAX_LABELS} entries")
    found: dict[str, str] = {}
    for name, item in data.items():
        if not name or len(name) > MAX_NAME:
            raise IntakeError(where, f"name {name[:40]!r} must have 1-{MAX_NAME} characters")
        found[name] = read_string(item, f"{where}.{name}", limit=MAX_TEXT, empty=True)
    return found


def parse_time(value: Any, where: str) -> datetime:
    """An RFC 3339 time with a zone; nanoseconds (Go) are cut to microseconds."""
    if not isinstance(value, str):
        raise IntakeError(where, f"not an RFC 3339 time ({json_type(value)})")
    found = _RFC3339.fullmatch(value)
    if found is None:
        raise IntakeError(where, "not an RFC 3339 time")
    year, month, day, hour, minute, second = (int(found.group(i)) for i in range(1, 7))
    fraction, zone = found.group(7), found.group(8)
    micro = int((fraction[1:] + "000000")[:6]) if fraction else 0
    try:
        tz = UTC if zone in ("Z", "z") else timezone(_offset(zone))
        moment = datetime(year, month, day, hour, minute, second, micro, tzinfo=tz)
        return moment.astimezone(UTC)
    except (ValueError, OverflowError) as error:
        raise IntakeError(where, f"not an RFC 3339 time ({error})") from None


def format_time(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _offset(zone: str) -> timedelta:
    hours, minutes = int(zone[1:3]), int(zone[4:6])
    if hours > 23 or minutes > 59:
        raise ValueError(f"offset {zone} out of range")
    sign = -1 if zone[0] == "-" else 1
    return sign * timedelta(hours=hours, minutes=minutes)


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
