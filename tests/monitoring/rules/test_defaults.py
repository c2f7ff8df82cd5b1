"""Default rules per asset type, and overrides per client and asset (table-tested)."""

from __future__ import annotations

import pytest

from steward.monitoring.rules.defaults import (
    DEFAULT_RULES,
    Override,
    effective_rules,
    matching_rules,
)
from steward.monitoring.rules.describe import rule_summary
from steward.monitoring.rules.model import Rule, RuleError, Severity


def by_id(rules: tuple[Rule, ...]) -> dict[str, Rule]:
    return {rule.id: rule for rule in rules}


def test_server_defaults() -> None:
    rules = by_id(effective_rules("server"))
    assert set(rules) == {
        "cpu-high",
        "memory-high",
        "disk-full",
        "disk-forecast",
        "agent-silent",
        "check-critical",
        "tls-expiry",
    }
    assert rule_summary(rules["cpu-high"]) == "cpu_usage_percent > 90 for 10 min, recovers at 80"
    assert rule_summary(rules["disk-full"]) == "disk_used_percent > 90 for 5 min, recovers at 85"
    assert rule_summary(rules["disk-forecast"]) == (
        "disk_used_percent >= 100 predicted within 7 d (trend over 1 d)"
    )
    assert rule_summary(rules["agent-silent"]) == "no data from agent_heartbeat for 10 min"
    assert rule_summary(rules["check-critical"]) == "check_state critical for 2 min"
    assert rule_summary(rules["tls-expiry"]) == "tls_cert_days_left < 14"


def test_every_asset_type_has_valid_rules() -> None:
    for asset_type in DEFAULT_RULES:
        rules = effective_rules(asset_type)
        assert len({r.id for r in rules}) == len(rules)
        assert "check-critical" in by_id(rules)


def test_disk_matcher_skips_pseudo_filesystems() -> None:
    disk = by_id(effective_rules("server"))["disk-full"]
    assert disk.selector.matches("disk_used_percent", {"mount": "/"})
    assert disk.selector.matches("disk_used_percent", {"mount": "/var/lib"})
    assert not disk.selector.matches("disk_used_percent", {"mount": "/run/user/1000"})
    assert not disk.selector.matches("cpu_usage_percent", {"mount": "/"})


OVERRIDES = [
    # (client overrides, asset overrides, rule id, (threshold, recovery, for, severity) or None)
    ([], [], "cpu-high", (90.0, 80.0, 600, Severity.MAJOR)),
    ([Override("cpu-high", threshold=95)], [], "cpu-high", (95, 85.0, 600, Severity.MAJOR)),
    (
        [Override("cpu-high", threshold=95)],
        [Override("cpu-high", threshold=98, recovery_threshold=90)],
        "cpu-high",
        (98, 90, 600, Severity.MAJOR),
    ),
    ([Override("cpu-high", for_seconds=1800)], [], "cpu-high", (90.0, 80.0, 1800, Severity.MAJOR)),
    ([Override("cpu-high", enabled=False)], [], "cpu-high", None),
    (
        [Override("cpu-high", enabled=False)],
        [Override("cpu-high", enabled=True)],
        "cpu-high",
        (90.0, 80.0, 600, Severity.MAJOR),
    ),
    (
        [],
        [Override("disk-full", severity=Severity.CRITICAL)],
        "disk-full",
        (90.0, 85.0, 300, Severity.CRITICAL),
    ),
    # a rule the asset type does not have: ignored
    ([Override("interface-errors", threshold=5)], [], "interface-errors", None),
]


@pytest.mark.parametrize(("client", "asset", "rule_id", "expected"), OVERRIDES)
def test_overrides(
    client: list[Override],
    asset: list[Override],
    rule_id: str,
    expected: tuple[float, float, int, Severity] | None,
) -> None:
    rule = by_id(effective_rules("server", client, asset)).get(rule_id)
    if expected is None:
        assert rule is None
        return
    assert rule is not None
    assert (rule.threshold, rule.recovery, rule.for_seconds, rule.severity) == expected


def test_workstation_disk_is_laxer() -> None:
    disk = by_id(effective_rules("workstation"))["disk-full"]
    assert (disk.threshold, disk.severity) == (95.0, Severity.MINOR)


@pytest.mark.parametrize(
    ("asset_type", "client", "asset", "message"),
    [
        ("toaster", [], [], "asset_type: unknown asset type 'toaster'"),
        ("server", [Override("cpu-hihg")], [], "client_overrides[0].rule_id: no default rule"),
        (
            "server",
            [],
            [Override("tls-expiry"), Override("cpu-high", recovery_threshold=95)],
            "asset_overrides[1].recovery_threshold: must be at or below the threshold 90",
        ),
        (
            "server",
            [Override("agent-silent", window_seconds=0)],
            [],
            "client_overrides[0].window_seconds: an absence rule needs the silence length",
        ),
    ],
)
def test_bad_overrides_name_the_field(
    asset_type: str, client: list[Override], asset: list[Override], message: str
) -> None:
    with pytest.raises(RuleError) as caught:
        effective_rules(asset_type, client, asset)
    assert str(caught.value).startswith(message)


def test_matching_rules_pick_by_metric_and_labels() -> None:
    rules = effective_rules("server")
    disk = [r.id for r in matching_rules(rules, "disk_used_percent", {"mount": "/"})]
    assert disk == ["disk-full", "disk-forecast"]
    assert matching_rules(rules, "disk_used_percent", {"mount": "/proc"}) == []
    assert [r.id for r in matching_rules(rules, "check_state", {})] == ["check-critical"]
