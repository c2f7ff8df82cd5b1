"""Human-readable reasons for transitions (shown in the alert list and the ticket text)."""

from __future__ import annotations

from functools import cache

from .model import CheckState, Forecast, Rule, RuleKind, TransitionKind

STATE_CODES = frozenset(float(s) for s in CheckState)


def reason(rule: Rule, kind: TransitionKind, value: float | None, forecast: Forecast | None) -> str:
    metric = rule.selector.metric
    if rule.kind is RuleKind.ABSENCE:
        return _absence(rule, kind)
    if rule.kind is RuleKind.FORECAST:
        return _forecast(rule, kind, forecast)
    shown = _value_text(rule, value)
    condition, recovered = _condition_texts(rule)
    if kind is TransitionKind.PENDING:
        return f"{metric} {shown} {condition}; firing after {rule.for_seconds} s"
    if kind is TransitionKind.FIRING:
        held = f" for {rule.for_seconds} s" if rule.for_seconds else ""
        return f"{metric} {shown} {condition}{held}"
    if kind is TransitionKind.CANCELLED:
        return f"{metric} {shown}: no longer {condition} before {rule.for_seconds} s"
    return f"{metric} {shown}: {recovered}"


@cache
def _condition_texts(rule: Rule) -> tuple[str, str]:
    """What holds while the alert is on, and what ends it (cached: a cold cycle writes many)."""
    if rule.kind is RuleKind.STATE_CHANGE:
        condition = "in " + "/".join(sorted(s.name.lower() for s in rule.states))
        return condition, "back to " + "/".join(
            sorted(s.name.lower() for s in rule.recovery_states)
        )
    condition = f"{rule.comparison.value} {rule.threshold:g}"
    return condition, f"recovered (not {rule.comparison.value} {rule.recovery:g})"


def _value_text(rule: Rule, value: float | None) -> str:
    if value is None:
        return "(no value)"
    if rule.kind is RuleKind.STATE_CHANGE and value in STATE_CODES:
        return f"is {CheckState(int(value)).name.lower()},"
    return f"= {value:g}"


def _absence(rule: Rule, kind: TransitionKind) -> str:
    metric = rule.selector.metric
    if kind in (TransitionKind.RESOLVED, TransitionKind.CANCELLED):
        return f"{metric}: data again"
    return f"no data from {metric} for {rule.window_seconds} s"


def _forecast(rule: Rule, kind: TransitionKind, forecast: Forecast | None) -> str:
    metric = rule.selector.metric
    limit = f"{rule.threshold:g}"
    if forecast is None or forecast.crossing_at is None:
        if kind in (TransitionKind.RESOLVED, TransitionKind.CANCELLED):
            return f"{metric}: no longer predicted to reach {limit}"
        return f"{metric} predicted to reach {limit}"
    days = (forecast.crossing_at - forecast.computed_at).total_seconds() / 86_400
    when = forecast.crossing_at.isoformat(timespec="minutes")
    horizon_days = rule.horizon_seconds / 86_400
    if kind in (TransitionKind.RESOLVED, TransitionKind.CANCELLED):
        return (
            f"{metric}: reaches {limit} only at {when} (~{days:.1f} days), "
            f"beyond {horizon_days:g} days"
        )
    return f"{metric} predicted to reach {limit} at {when} (in ~{days:.1f} days)"


def rule_summary(rule: Rule) -> str:
    """The rule in one line (its own ``summary`` when set), for lists and ticket titles."""
    if rule.summary:
        return rule.summary
    metric = rule.selector.metric
    held = f" for {_duration(rule.for_seconds)}" if rule.for_seconds else ""
    if rule.kind is RuleKind.ABSENCE:
        return f"no data from {metric} for {_duration(rule.window_seconds)}{held}"
    if rule.kind is RuleKind.STATE_CHANGE:
        states = "/".join(sorted(s.name.lower() for s in rule.states))
        return f"{metric} {states}{held}"
    condition = f"{metric} {rule.comparison.value} {rule.threshold:g}"
    if rule.kind is RuleKind.FORECAST:
        return (
            f"{condition} predicted within {_duration(rule.horizon_seconds)} "
            f"(trend over {_duration(rule.window_seconds)})"
        )
    band = "" if rule.recovery_threshold is None else f", recovers at {rule.recovery:g}"
    return f"{condition}{held}{band}"


def _duration(seconds: int) -> str:
    for unit, size in (("d", 86_400), ("h", 3600), ("min", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds // size} {unit}"
    return f"{seconds} s"
