"""Default alert rules per asset type, and the merge with per-client and per-asset overrides.

Asset types are the values of ``monitoring.choices.AssetKind`` (plain strings here: this package
imports no Django). A rule id names the same concern on every asset type (``disk-full`` is 90 %
on a server, 95 % on a workstation), so one override of ``disk-full`` on a client applies to
every asset type that has it. Metric names are those the agent and collector push; two are
derived by the wiring: ``agent_heartbeat`` (one point per batch an asset's agent sends) and
``check_state`` (a check's results as ``CheckState`` codes, one series per check).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any

from .model import (
    CheckState,
    Comparison,
    Matcher,
    MatchOp,
    Rule,
    RuleError,
    RuleKind,
    Selector,
    Severity,
)

MINUTE, HOUR, DAY = 60, 3600, 86_400
PSEUDO_FILESYSTEMS = Matcher("mount", MatchOp.NRE, "/(proc|sys|dev|run)(/.*)?")


def _threshold(rule_id: str, metric: str, severity: Severity, **options: Any) -> Rule:
    return Rule(
        id=rule_id, kind=RuleKind.THRESHOLD, selector=Selector(metric), severity=severity, **options
    )


CPU = _threshold(
    "cpu-high",
    "cpu_usage_percent",
    Severity.MAJOR,
    threshold=90.0,
    recovery_threshold=80.0,
    for_seconds=10 * MINUTE,
)
MEMORY = _threshold(
    "memory-high",
    "memory_used_percent",
    Severity.MAJOR,
    threshold=90.0,
    recovery_threshold=85.0,
    for_seconds=10 * MINUTE,
)
DISK = Rule(
    id="disk-full",
    kind=RuleKind.THRESHOLD,
    severity=Severity.MAJOR,
    selector=Selector("disk_used_percent", (PSEUDO_FILESYSTEMS,)),
    threshold=90.0,
    recovery_threshold=85.0,
    for_seconds=5 * MINUTE,
)
DISK_FORECAST = Rule(
    id="disk-forecast",
    kind=RuleKind.FORECAST,
    severity=Severity.MINOR,
    selector=Selector("disk_used_percent", (PSEUDO_FILESYSTEMS,)),
    comparison=Comparison.GE,
    threshold=100.0,
    window_seconds=DAY,
    horizon_seconds=7 * DAY,
    min_points=12,
    min_span_seconds=6 * HOUR,
)
AGENT_SILENT = Rule(
    id="agent-silent",
    kind=RuleKind.ABSENCE,
    severity=Severity.MAJOR,
    selector=Selector("agent_heartbeat"),
    window_seconds=10 * MINUTE,
)
CHECK_CRITICAL = Rule(
    id="check-critical",
    kind=RuleKind.STATE_CHANGE,
    severity=Severity.MAJOR,
    selector=Selector("check_state"),
    states=frozenset({CheckState.CRITICAL}),
    recovery_states=frozenset({CheckState.OK}),
    for_seconds=2 * MINUTE,
)
TLS_EXPIRY = _threshold(
    "tls-expiry",
    "tls_cert_days_left",
    Severity.WARNING,
    comparison=Comparison.LT,
    threshold=14.0,
)
INTERFACE_ERRORS = _threshold(
    "interface-errors",
    "interface_errors_per_second",
    Severity.MINOR,
    threshold=1.0,
    recovery_threshold=0.1,
    for_seconds=10 * MINUTE,
)

# Laptops sleep and travel: silence is normal for hours, so only a long one is worth a look.
ENDPOINT_SILENT = replace(AGENT_SILENT, severity=Severity.INFO, window_seconds=3 * DAY)
ENDPOINT_DISK = replace(
    DISK, severity=Severity.MINOR, threshold=95.0, recovery_threshold=90.0, for_seconds=15 * MINUTE
)
COMMON = (CHECK_CRITICAL, TLS_EXPIRY)
SERVER = (CPU, MEMORY, DISK, DISK_FORECAST, AGENT_SILENT, *COMMON)

DEFAULT_RULES: Mapping[str, tuple[Rule, ...]] = {
    "server": SERVER,
    "virtual": SERVER,
    "storage": (DISK, DISK_FORECAST, *COMMON),
    "workstation": (ENDPOINT_DISK, DISK_FORECAST, ENDPOINT_SILENT, *COMMON),
    "laptop": (ENDPOINT_DISK, ENDPOINT_SILENT, *COMMON),
    "network": (INTERFACE_ERRORS, *COMMON),
    "firewall": (CPU, INTERFACE_ERRORS, *COMMON),
    "printer": COMMON,
    "cloud": COMMON,
    "other": COMMON,
}
KNOWN_IDS = frozenset(rule.id for rules in DEFAULT_RULES.values() for rule in rules)


@dataclass(frozen=True)
class Override:
    """A change to one rule for a client or an asset; None leaves a field as it is."""

    rule_id: str
    enabled: bool | None = None
    threshold: float | None = None
    recovery_threshold: float | None = None
    for_seconds: int | None = None
    window_seconds: int | None = None
    horizon_seconds: int | None = None
    severity: Severity | None = None


def effective_rules(
    asset_type: str,
    client_overrides: Sequence[Override] = (),
    asset_overrides: Sequence[Override] = (),
) -> tuple[Rule, ...]:
    """The enabled rules for one asset: the type's defaults, then the client's overrides, then
    the asset's (the most specific wins). An override of a rule this type does not have is
    ignored; one of an unknown rule id is an error (a typo must not pass silently)."""
    if asset_type not in DEFAULT_RULES:
        known = ", ".join(sorted(DEFAULT_RULES))
        raise RuleError("asset_type", f"unknown asset type {asset_type!r} (known: {known})")
    rules = {rule.id: rule for rule in DEFAULT_RULES[asset_type]}
    for scope, overrides in (
        ("client_overrides", client_overrides),
        ("asset_overrides", asset_overrides),
    ):
        for index, override in enumerate(overrides):
            where = f"{scope}[{index}]"
            if override.rule_id not in KNOWN_IDS:
                raise RuleError(f"{where}.rule_id", f"no default rule {override.rule_id!r}")
            if override.rule_id in rules:
                rules[override.rule_id] = _apply(rules[override.rule_id], override, where)
    return tuple(rule for rule in rules.values() if rule.enabled)


def _apply(rule: Rule, override: Override, where: str) -> Rule:
    changes = {
        f.name: getattr(override, f.name)
        for f in fields(override)
        if f.name != "rule_id" and getattr(override, f.name) is not None
    }
    if (
        "threshold" in changes
        and "recovery_threshold" not in changes
        and rule.recovery_threshold is not None
    ):
        # A new threshold alone keeps the hysteresis band's width, so it stays valid.
        changes["recovery_threshold"] = rule.recovery_threshold + (
            changes["threshold"] - rule.threshold
        )
    try:
        return replace(rule, **changes)
    except RuleError as error:
        raise RuleError(f"{where}.{error.field}", error.reason) from error


def matching_rules(rules: Sequence[Rule], metric: str, labels: Mapping[str, str]) -> list[Rule]:
    """The rules whose selector takes this series (``effective_rules`` of its asset first)."""
    return [rule for rule in rules if rule.selector.matches(metric, labels)]
