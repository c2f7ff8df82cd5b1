"""The generic JSON webhook: schema, errors naming the field, fuzzing, round trip."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from steward.monitoring.intake.generic import parse_generic, render_generic
from steward.monitoring.intake.model import IncomingStatus, IntakeError, IntakeResult
from steward.monitoring.rules.model import Severity
from tests.monitoring.intake.strategies import NOW, generic_alerts, json_values

BACKUP = {
    "key": "backup-nightly",
    "status": "firing",
    "severity": "major",
    "summary": "Nightly backup failed",
    "description": "exit code 2",
    "labels": {"job": "backup"},
    "client": "acme",
    "asset": "nas-01",
    "at": "2026-11-29T02:10:00Z",
}


def test_the_documented_example() -> None:
    (alert,) = parse_generic(BACKUP, NOW).alerts
    assert alert.key == "generic:backup-nightly"
    assert alert.status is IncomingStatus.FIRING
    assert alert.severity is Severity.MAJOR
    assert (alert.summary, alert.description) == ("Nightly backup failed", "exit code 2")
    assert alert.labels == {"job": "backup"}
    assert (alert.client, alert.asset) == ("acme", "nas-01")
    assert alert.at.isoformat() == "2026-11-29T02:10:00+00:00"


def test_defaults() -> None:
    (alert,) = parse_generic({"key": "k", "status": "resolved"}, NOW).alerts
    assert alert.severity is Severity.WARNING
    assert alert.summary == "k"
    assert alert.at == NOW
    assert alert.client is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"at": "29.11.2026"}, "[1].at: not an RFC 3339 time"),
        ({"status": None}, '[1].status: must be "firing" or "resolved"'),
        ({"severity": "urgent"}, "[1].severity: must be one of critical, major, minor"),
        ({"key": ""}, "[1].key: must not be empty"),
        ({"key": 12}, "[1].key: must be a string, not a number"),
        ({"labels": {"a": 1}}, "[1].labels.a: must be a string, not a number"),
        ({"client": ["acme"]}, "[1].client: must be a string, not an array"),
        ({"sevrity": "major"}, "[1].sevrity: unknown field"),
    ],
)
def test_a_bad_alert_is_listed_and_the_others_kept(change: dict[str, Any], message: str) -> None:
    result = parse_generic([BACKUP, {**BACKUP, **change}, BACKUP], NOW)
    assert len(result.alerts) == 2
    assert len(result.errors) == 1
    assert str(result.errors[0]).startswith(message)


def test_a_missing_key_is_named() -> None:
    result = parse_generic({"status": "firing"}, NOW)
    assert [str(e) for e in result.errors] == ["key: is required"]


def test_a_scalar_body_is_refused() -> None:
    with pytest.raises(IntakeError, match="payload: must be a JSON object, not a string"):
        parse_generic("firing", NOW)


@settings(max_examples=200)
@given(body=json_values)
def test_any_json_value_is_parsed_or_refused_with_a_field(body: Any) -> None:
    try:
        result = parse_generic(body, NOW)
    except IntakeError as refused:
        result = IntakeResult([], [refused])
        assert not isinstance(body, list | dict)
    assert all(e.field for e in result.errors)


@settings(max_examples=100)
@given(bodies=st.lists(generic_alerts(), min_size=1, max_size=4))
def test_valid_alerts_parse_and_round_trip(bodies: list[dict[str, Any]]) -> None:
    result = parse_generic(bodies, NOW)
    assert result.errors == []
    again = parse_generic(render_generic(result.alerts), NOW)
    assert again.errors == []
    assert again.alerts == result.alerts
