"""The generic JSON webhook: one alert object, or an array of them (schema in docs/alerts.md).

    {"key": "backup-nightly", "status": "firing", "severity": "major",
     "summary": "Nightly backup failed", "description": "exit code 2",
     "labels": {"job": "backup"}, "client": "acme", "asset": "nas-01",
     "at": "2026-11-29T02:10:00Z"}

``key`` and ``status`` are required; ``severity`` defaults to ``warning``, ``summary`` to the
key, ``at`` to the time of receipt. Unknown fields are refused (a typo must not pass silently).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from steward.monitoring.rules.model import Severity

from .model import (
    MAX_TEXT,
    IncomingAlert,
    IncomingStatus,
    IntakeError,
    IntakeResult,
    format_time,
    parse_time,
    read_labels,
    read_object,
    read_optional_string,
    read_string,
)

SOURCE = "generic"
MAX_ALERTS = 1000
FIELDS = ("key", "status", "severity", "summary", "description", "labels", "client", "asset", "at")


def parse_generic(payload: Any, now: datetime) -> IntakeResult:
    """Parse a webhook body (decoded JSON): an object, or an array of objects. Bad alerts are
    listed in ``errors`` (``[2].at: not an RFC 3339 time``), good ones kept."""
    if isinstance(payload, list):
        if len(payload) > MAX_ALERTS:
            raise IntakeError("payload", f"more than {MAX_ALERTS} alerts")
        items = [(item, f"[{index}]") for index, item in enumerate(payload)]
    elif isinstance(payload, dict):
        items = [(payload, "")]
    else:
        read_object(payload, "payload")  # raises with the JSON type named
        items = []
    kept, errors = [], []
    for item, where in items:
        try:
            kept.append(parse_one(item, where, now))
        except IntakeError as error:
            errors.append(error)
    return IntakeResult(kept, errors)


def parse_one(value: Any, where: str, now: datetime) -> IncomingAlert:
    data = read_object(value, where or "payload")
    for name in data:
        if name not in FIELDS:
            shown = name if name.isidentifier() else json.dumps(name)
            raise IntakeError(_path(where, shown), f"unknown field (known: {', '.join(FIELDS)})")
    if "key" not in data:
        raise IntakeError(_path(where, "key"), "is required")
    key = read_string(data["key"], _path(where, "key")).strip()
    status_text = data.get("status")
    if status_text not in ("firing", "resolved"):
        raise IntakeError(_path(where, "status"), 'must be "firing" or "resolved"')
    severity = _severity(data.get("severity"), _path(where, "severity"))
    summary = read_optional_string(data, "summary", where, limit=500) or key
    description = read_optional_string(data, "description", where, limit=MAX_TEXT) or ""
    at = now if data.get("at") is None else parse_time(data["at"], _path(where, "at"))
    return IncomingAlert(
        source=SOURCE,
        key=f"{SOURCE}:{key}",
        status=IncomingStatus(status_text),
        severity=severity,
        summary=summary,
        at=at,
        description=description,
        labels=read_labels(data.get("labels"), _path(where, "labels")),
        client=read_optional_string(data, "client", where),
        asset=read_optional_string(data, "asset", where),
    )


def render_generic(alerts: Sequence[IncomingAlert]) -> list[dict[str, Any]]:
    """The body that ``parse_generic`` reads back into ``alerts`` (tests, documentation)."""
    body = []
    for alert in alerts:
        item: dict[str, Any] = {
            "key": alert.key.removeprefix(f"{SOURCE}:"),
            "status": alert.status.value,
            "severity": alert.severity.value,
            "summary": alert.summary,
            "description": alert.description,
            "labels": dict(alert.labels),
            "at": format_time(alert.at),
        }
        if alert.client is not None:
            item["client"] = alert.client
        if alert.asset is not None:
            item["asset"] = alert.asset
        body.append(item)
    return body


def _severity(value: Any, where: str) -> Severity:
    if value is None:
        return Severity.WARNING
    if not isinstance(value, str) or value not in {s.value for s in Severity}:
        allowed = ", ".join(s.value for s in Severity)
        raise IntakeError(where, f"must be one of {allowed}")
    return Severity(value)


def _path(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name
