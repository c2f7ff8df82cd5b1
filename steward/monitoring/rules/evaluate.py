"""``evaluate``: one rule over one series window, from the previous state, at ``now``.

This is the readable reference; ``cycle.py`` does the same for many series at once and is tested
to agree with it. Steps:

1. The rule kind turns the window into condition segments (``machine.segments``).
2. The machine walks the segments newer than the previous evaluation: pending, firing,
   resolved, cancelled, at their exact instants (``machine.run``).
3. The policy decides what is told: flapping, maintenance, catch-up (``policy.apply``).
4. The new state records everything, with ``next_evaluation_at``: the earliest instant at which
   something changes without new data (store it in the indexed deadline column).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime

from . import machine, policy
from .forecast import crossing_offsets
from .model import (
    AlertState,
    Forecast,
    Occurrence,
    Phase,
    Rule,
    RuleKind,
    SeriesWindow,
    Transition,
    TransitionKind,
    dedup_key,
    to_datetime,
    to_seconds,
)


def evaluate(
    rule: Rule,
    window: SeriesWindow,
    previous: AlertState | None,
    now: datetime,
    maintenance: Sequence[Occurrence] = (),
) -> tuple[AlertState, list[Transition]]:
    """Evaluate ``rule`` over ``window`` from ``previous`` at ``now``.

    ``previous`` None replays the whole window (a series seen for the first time). When a rule
    starts to apply to a series that already has history (a new rule, an override), pass
    ``AlertState(key, evaluated_at=<when the rule started to apply>)`` instead, so that old
    data does not open tickets for the past.

    ``maintenance``: the occurrences for this series' asset that overlap the evaluated span,
    ``maintenance.between(windows, client, asset, previous.evaluated_at, now + 1 µs)``;
    transitions inside them are suppressed. The returned state's ``evaluated_at`` is the
    watermark of the next evaluation: data older than it is not looked at again.
    """
    prior = previous or AlertState(key=dedup_key(rule.id, window.identity))
    now_s = to_seconds(now)
    watermark = -math.inf if prior.evaluated_at is None else to_seconds(prior.evaluated_at)
    progress = machine.Progress(
        phase=prior.phase,
        pending_since=_seconds(prior.pending_since),
        firing_since=_seconds(prior.firing_since),
        value=prior.value,
    )
    found = machine.segments(rule, window, now_s)
    progress, events = machine.run(rule, found, progress, watermark, now_s)
    fitted = forecast_of(rule, window, now) if rule.kind is RuleKind.FORECAST else None
    result = policy.apply(rule, prior, events, now, maintenance, fitted)
    machine_deadline = machine.deadline(rule, progress, window, now_s)
    next_at = [] if machine_deadline is None else [to_datetime(machine_deadline)]
    if result.deadline is not None:
        next_at.append(result.deadline)
    evaluated_at = now if prior.evaluated_at is None else max(prior.evaluated_at, now)
    state = AlertState(
        key=prior.key,
        phase=progress.phase,
        pending_since=_moment(progress.pending_since),
        firing_since=_moment(progress.firing_since),
        evaluated_at=evaluated_at,
        notified=result.notified,
        changes=result.changes,
        flapping_since=result.flapping_since,
        suppressed=result.suppressed,
        value=progress.value,
        forecast=fitted,
        next_evaluation_at=min(next_at) if next_at else None,
    )
    return state, result.transitions


def retire(
    rule: Rule, previous: AlertState, now: datetime, why: str = "rule disabled or removed"
) -> tuple[AlertState, list[Transition]]:
    """Close the alert of a rule that no longer applies: a firing alert resolves now (told if
    the world believed it firing), a pending one is cancelled; the state is left at rest."""
    kind = {
        Phase.FIRING: TransitionKind.RESOLVED,
        Phase.PENDING: TransitionKind.CANCELLED,
    }.get(previous.phase)
    found = []
    if kind is not None:
        notify = kind is TransitionKind.RESOLVED and previous.notified is Phase.FIRING
        found.append(
            Transition(
                key=previous.key,
                rule_id=rule.id,
                kind=kind,
                at=now,
                reason=why,
                severity=rule.severity,
                value=previous.value,
                notify=notify,
            )
        )
    return AlertState(key=previous.key, evaluated_at=now), found


def forecast_of(rule: Rule, window: SeriesWindow, now: datetime) -> Forecast | None:
    """The fitted line at ``now``, or None when the window cannot support a decision."""
    now_s = to_seconds(now)
    points = [(t, v) for t, v in window.points if not (math.isnan(t) or math.isnan(v))]
    lines = machine.fit_one(rule, points, now_s)
    count, span = int(lines.count[0]), float(lines.span[0])
    slope, value_now = float(lines.slope[0]), float(lines.value_now[0])
    if count < max(rule.min_points, 2) or span < rule.min_span_seconds or math.isnan(slope):
        return None
    offset = float(crossing_offsets(lines, rule.comparison, rule.threshold)[0])
    crossing = None if math.isnan(offset) else to_datetime(now_s + offset)
    return Forecast(now, slope, value_now, crossing, count, span)


def _seconds(moment: datetime | None) -> float | None:
    return None if moment is None else to_seconds(moment)


def _moment(seconds: float | None) -> datetime | None:
    return None if seconds is None else to_datetime(seconds)
