"""Rule validation, label matchers, dedup keys and the severity-to-priority table."""

from __future__ import annotations

import pytest

from steward.monitoring.rules.model import (
    CheckState,
    Comparison,
    Matcher,
    MatchOp,
    Rule,
    RuleError,
    RuleKind,
    Selector,
    Severity,
    check_state_code,
    dedup_key,
    series_identity,
)
from steward.monitoring.rules.priority import DEFAULT_PRIORITIES, ticket_priority


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"id": ""}, "id: must not be empty"),
        ({"for_seconds": -1}, "for_seconds: must not be negative"),
        ({"threshold": 90, "recovery_threshold": 95}, "recovery_threshold: must be at or below"),
        (
            {"comparison": Comparison.LT, "threshold": 14, "recovery_threshold": 10},
            "recovery_threshold: must be at or above the threshold 14",
        ),
        ({"kind": RuleKind.ABSENCE}, "window_seconds: an absence rule needs"),
        ({"kind": RuleKind.FORECAST, "horizon_seconds": 60}, "window_seconds: a forecast rule"),
        ({"kind": RuleKind.FORECAST, "window_seconds": 60}, "horizon_seconds: a forecast rule"),
        (
            {
                "kind": RuleKind.STATE_CHANGE,
                "states": frozenset({CheckState.CRITICAL}),
                "recovery_states": frozenset({CheckState.CRITICAL}),
            },
            "recovery_states: must not share a state with states",
        ),
    ],
)
def test_invalid_rules_name_the_field(fields: dict[str, object], message: str) -> None:
    arguments: dict[str, object] = {
        "id": "r",
        "kind": RuleKind.THRESHOLD,
        "selector": Selector("m"),
    }
    with pytest.raises(RuleError) as caught:
        Rule(**{**arguments, **fields})  # type: ignore[arg-type]
    assert str(caught.value).startswith(message)


def test_recovery_equal_to_threshold_is_no_hysteresis() -> None:
    rule = Rule("r", RuleKind.THRESHOLD, Selector("m"), threshold=5, recovery_threshold=5)
    assert rule.recovery == 5


@pytest.mark.parametrize(
    ("matcher", "labels", "matches"),
    [
        (Matcher("mount", MatchOp.EQ, "/"), {"mount": "/"}, True),
        (Matcher("mount", MatchOp.EQ, "/"), {}, False),
        (Matcher("mount", MatchOp.NE, "/"), {}, True),
        (Matcher("fs", MatchOp.RE, "ext4|xfs"), {"fs": "xfs"}, True),
        (Matcher("fs", MatchOp.RE, "ext4|xfs"), {"fs": "xfs2"}, False),  # anchored
        (Matcher("fs", MatchOp.NRE, "tmpfs.*"), {"fs": "tmpfs"}, False),
        (Matcher("fs", MatchOp.NRE, "tmpfs.*"), {"fs": "ext4"}, True),
    ],
)
def test_matchers(matcher: Matcher, labels: dict[str, str], matches: bool) -> None:
    assert matcher.matches(labels) is matches


def test_a_bad_regex_is_refused() -> None:
    with pytest.raises(ValueError, match="matcher fs: bad regular expression"):
        Matcher("fs", MatchOp.RE, "(")


def test_series_identity_and_dedup_key_are_stable() -> None:
    one = series_identity("disk_used_percent", {"mount": "/", "device": "sda1"}, scope="asset:7")
    two = series_identity("disk_used_percent", {"device": "sda1", "mount": "/"}, scope="asset:7")
    assert one == two == "asset:7/disk_used_percent{device='sda1',mount='/'}"
    assert dedup_key("disk-full", one) == dedup_key("disk-full", two)
    assert dedup_key("disk-full", one) != dedup_key("disk-forecast", one)
    assert dedup_key("disk-full", one).startswith("disk-full:")


@pytest.mark.parametrize(
    ("severity", "priority"),
    [
        (Severity.CRITICAL, "P1"),
        (Severity.MAJOR, "P2"),
        (Severity.MINOR, "P3"),
        (Severity.WARNING, "P4"),
        (Severity.INFO, None),
    ],
)
def test_default_priority_table(severity: Severity, priority: str | None) -> None:
    assert ticket_priority(severity) == priority


def test_priority_overrides() -> None:
    assert ticket_priority(Severity.MAJOR, {Severity.MAJOR: "P1"}) == "P1"
    assert ticket_priority(Severity.MINOR, {Severity.MAJOR: "P1"}) == "P3"
    assert set(DEFAULT_PRIORITIES) == set(Severity)


@pytest.mark.parametrize(
    ("name", "code"), [("ok", 0.0), ("warning", 1.0), ("Critical", 2.0), ("unknown", 3.0)]
)
def test_check_state_codes(name: str, code: float) -> None:
    assert check_state_code(name) == code


def test_a_bad_check_state_is_named() -> None:
    with pytest.raises(ValueError, match="state: 'pending' is not a check state"):
        check_state_code("pending")
