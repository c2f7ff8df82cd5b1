"""The condition signal of each rule kind, and the pending/firing/resolved machine over it.

Every rule kind turns its data into *segments*: from ``start`` on, the data says BREACH, HOLD
or CLEAR (``model.Signal``) until the next segment. The machine walks the segments that are new
since the previous evaluation (``watermark < start <= now``):

1. Before a segment: a pending alert whose condition has held for ``for_seconds`` fires, at
   exactly ``pending_since + for_seconds``. The condition holds on ``[start, next start)``, so a
   contradicting segment starting at that very instant wins.
2. At the segment: OK + BREACH goes pending (straight to firing when ``for_seconds`` is 0);
   PENDING + anything but BREACH is cancelled; FIRING + CLEAR resolves. HOLD keeps a firing
   alert firing: that is the hysteresis band.
3. After the last segment the same check as step 1 runs at ``now`` (inclusive: an alert whose
   condition held exactly ``for_seconds`` fires).

The condition keeps holding until data says otherwise; silence is the absence rule's business.
``cycle.py`` runs the same machine column by column over arrays; this is the reference.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import forecast
from .model import Phase, Rule, RuleKind, SeriesWindow, Signal, TransitionKind


@dataclass(frozen=True)
class Segment:
    start: float
    signal: Signal
    value: float | None


@dataclass(frozen=True)
class Progress:
    """The machine's own state: the phase and its instants (unix seconds), the last value seen."""

    phase: Phase = Phase.OK
    pending_since: float | None = None
    firing_since: float | None = None
    value: float | None = None


@dataclass(frozen=True)
class RawEvent:
    """A phase change before suppression and notification policy."""

    kind: TransitionKind
    at: float
    value: float | None


def segments(rule: Rule, window: SeriesWindow, now: float) -> list[Segment]:
    """The segments the window's data makes for ``rule`` (any start; the machine filters)."""
    points = [(t, v) for t, v in window.points if not (math.isnan(t) or math.isnan(v))]
    if rule.kind is RuleKind.THRESHOLD:
        return [Segment(t, threshold_signal(rule, v), v) for t, v in points]
    if rule.kind is RuleKind.STATE_CHANGE:
        return [Segment(t, state_signal(rule, v), v) for t, v in points]
    if rule.kind is RuleKind.ABSENCE:
        return absence_segments([t for t, _ in points], rule.window_seconds)
    return forecast_segments(rule, points, now)


def threshold_signal(rule: Rule, value: float) -> Signal:
    if rule.comparison.holds(value, rule.threshold):
        return Signal.BREACH
    if rule.comparison.holds(value, rule.recovery):
        return Signal.HOLD
    return Signal.CLEAR


def state_signal(rule: Rule, code: float) -> Signal:
    if code in {float(s) for s in rule.states}:
        return Signal.BREACH
    if code in {float(s) for s in rule.recovery_states}:
        return Signal.CLEAR
    return Signal.HOLD


def absence_segments(times: list[float], silence: float) -> list[Segment]:
    """Each sample clears; ``silence`` seconds after a sample with no newer one, a breach starts."""
    found: list[Segment] = []
    for index, at in enumerate(times):
        found.append(Segment(at, Signal.CLEAR, None))
        gap_start = at + silence
        following = times[index + 1] if index + 1 < len(times) else math.inf
        if following > gap_start:
            found.append(Segment(gap_start, Signal.BREACH, None))
    return found


def forecast_segments(rule: Rule, points: list[tuple[float, float]], now: float) -> list[Segment]:
    """One segment at ``now`` from the fitted line, or none when the fit cannot decide."""
    lines = fit_one(rule, points, now)
    signal = forecast.forecast_signals(
        lines,
        rule.comparison,
        rule.threshold,
        rule.horizon_seconds,
        rule.min_points,
        rule.min_span_seconds,
    )[0]
    if signal < 0:
        return []
    return [Segment(now, Signal(int(signal)), float(lines.value_now[0]))]


def fit_one(rule: Rule, points: list[tuple[float, float]], now: float) -> forecast.Lines:
    times = np.array([[t for t, _ in points]], dtype=np.float64).reshape(1, len(points))
    values = np.array([[v for _, v in points]], dtype=np.float64).reshape(1, len(points))
    return forecast.fit_lines(times, values, now, rule.window_seconds)


def run(
    rule: Rule, found: list[Segment], progress: Progress, watermark: float, now: float
) -> tuple[Progress, list[RawEvent]]:
    """Walk the new segments from ``progress`` (see the module docstring for the steps)."""
    phase, pending, firing, value = (
        progress.phase,
        progress.pending_since,
        progress.firing_since,
        progress.value,
    )
    events: list[RawEvent] = []
    hold_for = rule.for_seconds
    for segment in found:
        if not watermark < segment.start <= now:
            continue
        if phase is Phase.PENDING and pending is not None and pending + hold_for < segment.start:
            phase, firing = Phase.FIRING, pending + hold_for
            events.append(RawEvent(TransitionKind.FIRING, firing, value))
        if segment.value is not None:
            value = segment.value
        at, signal = segment.start, segment.signal
        if phase is Phase.OK and signal is Signal.BREACH:
            pending = at
            if hold_for == 0:
                phase, firing = Phase.FIRING, at
                events.append(RawEvent(TransitionKind.FIRING, at, value))
            else:
                phase = Phase.PENDING
                events.append(RawEvent(TransitionKind.PENDING, at, value))
        elif phase is Phase.PENDING and signal is not Signal.BREACH:
            phase, pending = Phase.OK, None
            events.append(RawEvent(TransitionKind.CANCELLED, at, value))
        elif phase is Phase.FIRING and signal is Signal.CLEAR:
            phase, pending, firing = Phase.OK, None, None
            events.append(RawEvent(TransitionKind.RESOLVED, at, value))
    if phase is Phase.PENDING and pending is not None and pending + hold_for <= now:
        phase, firing = Phase.FIRING, pending + hold_for
        events.append(RawEvent(TransitionKind.FIRING, firing, value))
    return Progress(phase, pending, firing, value), events


def deadline(rule: Rule, progress: Progress, window: SeriesWindow, now: float) -> float | None:
    """When the machine changes without new data: the ``for`` deadline, or an absence gap."""
    if progress.phase is Phase.PENDING and progress.pending_since is not None:
        return progress.pending_since + rule.for_seconds
    if rule.kind is RuleKind.ABSENCE and progress.phase is Phase.OK:
        times = [t for t, v in window.points if not (math.isnan(t) or math.isnan(v))]
        if times and times[-1] + rule.window_seconds > now:
            return times[-1] + rule.window_seconds
    return None
