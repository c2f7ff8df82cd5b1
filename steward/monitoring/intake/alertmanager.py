"""Alertmanager webhook (payload version 4) to normalized incoming alerts.

Alertmanager posts groups of alerts; each alert carries its own status. The dedup key is the
alert's ``fingerprint`` (a digest of its labels) or, when missing, a digest of its sorted
labels. A firing alert's ``endsAt`` is Alertmanager's "zero time" (``0001-01-01T00:00:00Z``)
or a time in the future it will resolve at; only a resolved alert's ``endsAt`` is its end.
References: ``steward_client`` or ``client`` names the client, ``steward_asset``, ``asset`` or
``instance`` (host, without a ``:port``) the asset. ``severity`` maps through ``SEVERITIES``;
a missing or unknown one is ``warning``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from steward.monitoring.rules.model import Severity

from .model import (
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

SOURCE = "alertmanager"
ZERO_TIME = "0001-01-01T00:00:00Z"
MAX_ALERTS = 1000
SEVERITIES: Mapping[str, Severity] = {
    "critical": Severity.CRITICAL,
    "page": Severity.CRITICAL,
    "emergency": Severity.CRITICAL,
    "major": Severity.MAJOR,
    "error": Severity.MAJOR,
    "high": Severity.MAJOR,
    "minor": Severity.MINOR,
    "medium": Severity.MINOR,
    "warning": Severity.WARNING,
    "warn": Severity.WARNING,
    "low": Severity.WARNING,
    "info": Severity.INFO,
    "informational": Severity.INFO,
    "none": Severity.INFO,
}
CLIENT_LABELS = ("steward_client", "client")
ASSET_LABELS = ("steward_asset", "asset", "instance")
SUMMARY_ANNOTATIONS = ("summary", "title")
DESCRIPTION_ANNOTATIONS = ("description", "message")


def parse_alertmanager(payload: Any, now: datetime) -> IntakeResult:
    """Parse a webhook body (already decoded JSON). Whole-payload problems raise
    ``IntakeError``; a bad alert is listed in ``errors`` and the others are kept."""
    data = read_object(payload, "payload")
    version = data.get("version")
    if version is not None and version != "4":
        raise IntakeError("version", f'unsupported version {version!r} (expected "4")')
    for name in ("receiver", "groupKey", "status", "externalURL"):
        if data.get(name) is not None:
            read_string(data[name], name, limit=10_000, empty=True)
    alerts = data.get("alerts")
    if not isinstance(alerts, list):
        raise IntakeError("alerts", "must be an array of alerts")
    if len(alerts) > MAX_ALERTS:
        raise IntakeError("alerts", f"more than {MAX_ALERTS} alerts")
    kept, errors = [], []
    for index, item in enumerate(alerts):
        try:
            kept.append(parse_alert(item, f"alerts[{index}]", now))
        except IntakeError as error:
            errors.append(error)
    return IntakeResult(kept, errors)


def parse_alert(value: Any, where: str, now: datetime) -> IncomingAlert:
    data = read_object(value, where)
    status_text = data.get("status")
    if status_text not in ("firing", "resolved"):
        raise IntakeError(f"{where}.status", 'must be "firing" or "resolved"')
    status = IncomingStatus(status_text)
    labels = read_labels(data.get("labels"), f"{where}.labels")
    annotations = read_labels(data.get("annotations"), f"{where}.annotations")
    starts_at = _time(data, "startsAt", where)
    ends_at = _time(data, "endsAt", where)
    fingerprint = read_optional_string(data, "fingerprint", where)
    url = read_optional_string(data, "generatorURL", where, limit=10_000)
    at = (starts_at if status is IncomingStatus.FIRING else ends_at) or now
    return IncomingAlert(
        source=SOURCE,
        key=f"{SOURCE}:{fingerprint or labels_digest(labels)}",
        status=status,
        severity=SEVERITIES.get(labels.get("severity", "").strip().lower(), Severity.WARNING),
        summary=_first(annotations, SUMMARY_ANNOTATIONS) or labels.get("alertname", "") or "alert",
        at=at,
        description=_first(annotations, DESCRIPTION_ANNOTATIONS),
        labels=labels,
        annotations=annotations,
        client=_first(labels, CLIENT_LABELS) or None,
        asset=_asset(labels),
        starts_at=starts_at,
        ends_at=ends_at,
        url=url,
        fingerprint=fingerprint,
    )


def labels_digest(labels: Mapping[str, str]) -> str:
    canonical = json.dumps(sorted(labels.items()), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def render_alertmanager(
    alerts: Sequence[IncomingAlert], receiver: str = "steward"
) -> dict[str, Any]:
    """The webhook body that ``parse_alertmanager`` reads back into ``alerts``."""
    firing = any(a.status is IncomingStatus.FIRING for a in alerts)
    body: list[dict[str, Any]] = []
    for alert in alerts:
        item: dict[str, Any] = {
            "status": alert.status.value,
            "labels": dict(alert.labels),
            "annotations": dict(alert.annotations),
            "startsAt": format_time(alert.starts_at) if alert.starts_at else ZERO_TIME,
            "endsAt": format_time(alert.ends_at) if alert.ends_at else ZERO_TIME,
        }
        if alert.url is not None:
            item["generatorURL"] = alert.url
        if alert.fingerprint is not None:
            item["fingerprint"] = alert.fingerprint
        body.append(item)
    return {
        "version": "4",
        "groupKey": "{}:{}",
        "truncatedAlerts": 0,
        "status": "firing" if firing else "resolved",
        "receiver": receiver,
        "groupLabels": {},
        "commonLabels": {},
        "commonAnnotations": {},
        "externalURL": "",
        "alerts": body,
    }


def _time(data: Mapping[str, Any], name: str, where: str) -> datetime | None:
    value = data.get(name)
    if value is None or value == "":
        return None
    moment = parse_time(value, f"{where}.{name}")
    # Alertmanager's "no time" is Go's zero time (year 1).
    return None if moment.year == 1 else moment


def _first(values: Mapping[str, str], names: Sequence[str]) -> str:
    for name in names:
        if values.get(name, "").strip():
            return values[name]
    return ""


def _asset(labels: Mapping[str, str]) -> str | None:
    for name in ASSET_LABELS:
        value = labels.get(name, "").strip()
        if not value:
            continue
        if name == "instance":
            value = _host(value)
        return value or None
    return None


def _host(instance: str) -> str:
    """``web-01:9100`` is host ``web-01``; ``[2001:db8::1]:9100`` is ``2001:db8::1``."""
    if instance.startswith("["):
        return instance[1:].partition("]")[0]
    host, colon, port = instance.rpartition(":")
    if colon and port.isascii() and port.isdigit() and ":" not in host:
        return host
    return instance
