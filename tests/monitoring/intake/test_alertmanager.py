"""Alertmanager webhook (version 4): normalization, errors naming the field, fuzzing."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings

from steward.monitoring.intake.alertmanager import (
    labels_digest,
    parse_alertmanager,
    render_alertmanager,
)
from steward.monitoring.intake.model import IncomingStatus, IntakeError, IntakeResult
from steward.monitoring.rules.model import Severity
from tests.monitoring.intake.strategies import NOW, alertmanager_payloads, json_values

FIRING: dict[str, Any] = {
    "status": "firing",
    "labels": {
        "alertname": "NodeFilesystemAlmostFull",
        "severity": "critical",
        "instance": "web-01:9100",
        "client": "acme",
        "mountpoint": "/",
    },
    "annotations": {"summary": "Disk / on web-01 is 95 % full", "description": "5 % left"},
    "startsAt": "2026-11-29T11:58:00.123456789Z",
    "endsAt": "0001-01-01T00:00:00Z",
    "generatorURL": "http://prometheus:9090/graph?g0.expr=node_filesystem_avail_bytes",
    "fingerprint": "c0ffee1234567890",
}


def payload(*alerts: Any, **top: Any) -> dict[str, Any]:
    return {
        "version": "4",
        "status": "firing",
        "receiver": "steward",
        "alerts": list(alerts),
        **top,
    }


def test_a_firing_alert_is_normalized() -> None:
    result = parse_alertmanager(payload(FIRING), NOW)
    assert result.errors == []
    (alert,) = result.alerts
    assert alert.key == "alertmanager:c0ffee1234567890"
    assert alert.status is IncomingStatus.FIRING
    assert alert.severity is Severity.CRITICAL
    assert alert.summary == "Disk / on web-01 is 95 % full"
    assert alert.description == "5 % left"
    assert alert.client == "acme"
    assert alert.asset == "web-01"
    assert alert.at.isoformat() == "2026-11-29T11:58:00.123456+00:00"
    assert alert.ends_at is None
    assert alert.url is not None


def test_a_resolved_alert_is_at_its_end() -> None:
    resolved = {**FIRING, "status": "resolved", "endsAt": "2026-11-29T13:05:00+01:00"}
    (alert,) = parse_alertmanager(payload(resolved), NOW).alerts
    assert alert.status is IncomingStatus.RESOLVED
    assert alert.at.isoformat() == "2026-11-29T12:05:00+00:00"


def test_without_fingerprint_the_key_is_a_digest_of_sorted_labels() -> None:
    bare = {k: v for k, v in FIRING.items() if k != "fingerprint"}
    reordered = {**bare, "labels": dict(reversed(list(FIRING["labels"].items())))}
    first = parse_alertmanager(payload(bare), NOW).alerts[0]
    second = parse_alertmanager(payload(reordered), NOW).alerts[0]
    assert first.key == second.key == f"alertmanager:{labels_digest(bare['labels'])}"


PAYLOAD_FIELDS = ("payload", "version", "alerts", "receiver", "groupKey", "status", "externalURL")


def outcome(body: Any) -> IntakeResult | IntakeError:
    try:
        return parse_alertmanager(body, NOW)
    except IntakeError as error:
        return error


@pytest.mark.parametrize(
    ("labels", "client", "asset"),
    [
        ({"steward_client": "acme", "client": "other"}, "acme", None),
        ({"steward_asset": "a-1", "asset": "a-2", "instance": "h:1"}, None, "a-1"),
        ({"instance": "[2001:db8::1]:9100"}, None, "2001:db8::1"),
        ({"instance": "2001:db8::1"}, None, "2001:db8::1"),
        ({"instance": "db-02"}, None, "db-02"),
    ],
)
def test_references_from_labels(
    labels: dict[str, str], client: str | None, asset: str | None
) -> None:
    (alert,) = parse_alertmanager(payload({**FIRING, "labels": labels}), NOW).alerts
    assert (alert.client, alert.asset) == (client, asset)


@pytest.mark.parametrize(
    ("label", "severity"),
    [
        ("critical", Severity.CRITICAL),
        ("page", Severity.CRITICAL),
        ("error", Severity.MAJOR),
        ("Warning", Severity.WARNING),
        ("info", Severity.INFO),
        ("whatever", Severity.WARNING),
    ],
)
def test_severity_label_maps_to_ours(label: str, severity: Severity) -> None:
    labels = {**FIRING["labels"], "severity": label}
    (alert,) = parse_alertmanager(payload({**FIRING, "labels": labels}), NOW).alerts
    assert alert.severity is severity


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"startsAt": "yesterday"}, "alerts[1].startsAt: not an RFC 3339 time"),
        ({"startsAt": "2026-11-29T12:00:00"}, "alerts[1].startsAt: not an RFC 3339 time"),
        ({"startsAt": "2026-02-30T12:00:00Z"}, "alerts[1].startsAt: not an RFC 3339 time"),
        ({"endsAt": 5}, "alerts[1].endsAt: not an RFC 3339 time (a number)"),
        ({"status": "pending"}, 'alerts[1].status: must be "firing" or "resolved"'),
        ({"labels": ["a"]}, "alerts[1].labels: must be a JSON object, not an array"),
        ({"annotations": {"summary": 3}}, "alerts[1].annotations.summary: must be a string"),
    ],
)
def test_a_bad_alert_is_listed_and_the_others_kept(change: dict[str, Any], message: str) -> None:
    result = parse_alertmanager(payload(FIRING, {**FIRING, **change}, FIRING), NOW)
    assert len(result.alerts) == 2
    assert len(result.errors) == 1
    assert str(result.errors[0]).startswith(message)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([], "payload: must be a JSON object, not an array"),
        ({"version": "3", "alerts": []}, "version: unsupported version '3'"),
        ({"version": "4"}, "alerts: must be an array of alerts"),
        ({"version": "4", "receiver": 1, "alerts": []}, "receiver: must be a string"),
    ],
)
def test_payload_errors(body: Any, message: str) -> None:
    with pytest.raises(IntakeError) as caught:
        parse_alertmanager(body, NOW)
    assert str(caught.value).startswith(message)


@settings(max_examples=200)
@given(body=json_values)
def test_any_json_value_is_parsed_or_refused_with_a_field(body: Any) -> None:
    result = outcome(body)
    if isinstance(result, IntakeError):
        assert result.field in (
            "payload",
            "version",
            "alerts",
            "receiver",
            "groupKey",
            "status",
            "externalURL",
        )
    else:
        assert all(e.field.startswith("alerts[") for e in result.errors)


@settings(max_examples=150)
@given(body=json_values)
def test_any_json_as_an_alert_is_parsed_or_refused_with_a_field(body: Any) -> None:
    result = parse_alertmanager(payload(body), NOW)
    assert len(result.alerts) + len(result.errors) == 1


@settings(max_examples=100)
@given(body=alertmanager_payloads())
def test_valid_payloads_parse_and_round_trip(body: dict[str, Any]) -> None:
    result = parse_alertmanager(body, NOW)
    assert result.errors == []
    assert len(result.alerts) == len(body["alerts"])
    again = parse_alertmanager(render_alertmanager(result.alerts), NOW)
    assert again.errors == []
    assert again.alerts == result.alerts
