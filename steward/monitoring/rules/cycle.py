"""One evaluation cycle of one rule over many series at once, with numpy.

Same semantics as ``evaluate`` (the reference; a property test holds the two together): the
segments of each row are laid out as columns, and the machine of ``machine.run`` runs column by
column over all rows whose column is new. Only the columns that are new for some row are
visited, so a cycle a minute after the previous one touches one or two columns. The policy
(flapping, maintenance, notification) runs in plain Python for the few rows that need it: rows
with events, in maintenance, firing, or with policy history.

Input: a ``StateTable`` (the states), ``times``/``values`` arrays ``(rows, columns)`` ascending
per row and NaN-padded (``pack`` builds them from ``SeriesWindow``s).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import numpy.typing as npt

from . import forecast, policy
from .machine import RawEvent
from .model import (
    Occurrence,
    Phase,
    Rule,
    RuleKind,
    SeriesWindow,
    Signal,
    Transition,
    TransitionKind,
    to_seconds,
)
from .table import PolicyFields, StateTable

QUIET = PolicyFields()

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
OK, PENDING, FIRING = 0, 1, 2
KINDS = (
    TransitionKind.PENDING,
    TransitionKind.FIRING,
    TransitionKind.CANCELLED,
    TransitionKind.RESOLVED,
)


@dataclass(frozen=True)
class CycleResult:
    """The new states, the transitions (grouped by row, in order), and the rows whose stored
    state must be written: events, policy fields that may have changed, a moved deadline.
    Every row's ``evaluated_at`` moves to ``now``; it is the watermark of the next cycle, so
    keep it too (per row, or once per rule and cycle)."""

    table: StateTable
    transitions: list[Transition]
    changed: IntArray


@dataclass(frozen=True)
class Segments:
    """Condition segments as columns: start (NaN: none), ``Signal`` code, value (NaN: none)."""

    starts: FloatArray
    signals: npt.NDArray[np.int8]
    values: FloatArray


@dataclass
class _Log:
    """Events of the column loop, kept as arrays until ``by_row`` orders them per row."""

    rows: list[IntArray] = field(default_factory=list)
    kinds: list[IntArray] = field(default_factory=list)
    ats: list[FloatArray] = field(default_factory=list)
    values: list[FloatArray] = field(default_factory=list)
    seqs: list[IntArray] = field(default_factory=list)

    def add(
        self, rows: IntArray, kind: TransitionKind, at: FloatArray, values: FloatArray, seq: int
    ) -> None:
        if rows.size == 0:
            return
        self.rows.append(rows)
        self.kinds.append(np.full(rows.size, KINDS.index(kind)))
        self.ats.append(np.broadcast_to(at, rows.shape).astype(np.float64))
        self.values.append(values)
        self.seqs.append(np.full(rows.size, seq))

    def by_row(self) -> dict[int, list[RawEvent]]:
        if not self.rows:
            return {}
        rows, kinds = np.concatenate(self.rows), np.concatenate(self.kinds)
        ats, values, seqs = (
            np.concatenate(self.ats),
            np.concatenate(self.values),
            np.concatenate(self.seqs),
        )
        grouped: dict[int, list[RawEvent]] = {}
        for index in np.lexsort((seqs, rows)):
            value = float(values[index])
            event = RawEvent(
                KINDS[int(kinds[index])], float(ats[index]), None if np.isnan(value) else value
            )
            grouped.setdefault(int(rows[index]), []).append(event)
        return grouped


def pack(windows: Sequence[SeriesWindow]) -> tuple[list[str], FloatArray, FloatArray]:
    """Identities and NaN-padded ``times``/``values`` arrays from windows."""
    width = max((len(w.points) for w in windows), default=0)
    times = np.full((len(windows), max(width, 1)), np.nan)
    values = np.full((len(windows), max(width, 1)), np.nan)
    for row, window in enumerate(windows):
        if window.points:
            block = np.asarray(window.points, dtype=np.float64)
            times[row, : len(block)] = block[:, 0]
            values[row, : len(block)] = block[:, 1]
    return [w.identity for w in windows], times, values


def run_cycle(
    rule: Rule,
    table: StateTable,
    times: FloatArray,
    values: FloatArray,
    now: datetime,
    maintenance: Mapping[int, Sequence[Occurrence]] | None = None,
) -> CycleResult:
    """Evaluate ``rule`` for every row of ``table`` at ``now``. ``maintenance`` maps a row to the
    occurrences for its asset that overlap the evaluated span, as for ``evaluate`` (rows without
    any may be left out)."""
    maintenance = maintenance or {}
    if table.rule_id != rule.id:
        raise ValueError(f"the table holds states of rule {table.rule_id!r}, not {rule.id!r}")
    if times.shape != values.shape or times.ndim != 2 or len(times) != len(table):
        raise ValueError(
            f"times {times.shape} and values {values.shape} must both be (rows, columns) "
            f"with one row per table row ({len(table)})"
        )
    now_s = to_seconds(now)
    new = table.copy()
    lines = None
    if rule.kind is RuleKind.FORECAST:
        lines = forecast.fit_lines(times, values, now_s, rule.window_seconds)
        found = _forecast_segments(rule, lines, now_s)
        _store_forecast(rule, new, lines, found, now_s)
    else:
        found = segments(rule, *_new_columns(rule, table, times, values, now_s))
    log = _run_machine(rule, found, table, new, now_s)
    events = log.by_row()
    deadline = _machine_deadline(rule, new, times, values, now_s)
    new.evaluated_at = np.fmax(table.evaluated_at, now_s)
    firing = np.flatnonzero(table.phase == FIRING)
    candidates = sorted({*events, *maintenance, *table.policy, *firing.tolist()})
    rows = [r for r in candidates if r in events or r in maintenance or not _quiet(table, r)]
    transitions: list[Transition] = []
    for row in rows:
        prior = table.state(row)
        fitted = new.forecast(row) if lines is not None else None
        result = policy.apply(
            rule, prior, events.get(row, []), now, maintenance.get(row, ()), fitted
        )
        transitions.extend(result.transitions)
        new.put_policy(
            row,
            PolicyFields(result.notified, result.changes, result.flapping_since, result.suppressed),
        )
        if result.deadline is not None:
            deadline[row] = np.fmin(deadline[row], to_seconds(result.deadline))
    new.next_evaluation_at = deadline
    old_deadline = table.next_evaluation_at
    moved = ~((deadline == old_deadline) | (np.isnan(deadline) & np.isnan(old_deadline)))
    changed = np.union1d(np.asarray(rows, dtype=np.int64), np.flatnonzero(moved))
    return CycleResult(new, transitions, changed)


def _new_columns(
    rule: Rule, table: StateTable, times: FloatArray, values: FloatArray, now_s: float
) -> tuple[FloatArray, FloatArray]:
    """Drop the leading columns that are old for every row (a warm cycle keeps one or two).
    Absence keeps them all: a gap after an old point may still open a new segment."""
    if rule.kind is RuleKind.ABSENCE or times.shape[1] == 0:
        return times, values
    watermark = np.where(np.isnan(table.evaluated_at), -np.inf, table.evaluated_at)
    fresh = ((times > watermark[:, None]) & (times <= now_s)).any(axis=0)
    first = int(np.argmax(fresh)) if fresh.any() else times.shape[1]
    return times[:, first:], values[:, first:]


def _quiet(table: StateTable, row: int) -> bool:
    """No suppression, flapping or history, and the world believes the phase: the policy would
    change nothing (firing alerts that stay firing are the common case)."""
    fields = table.policy.get(row, QUIET)
    believed = Phase.FIRING if table.phase[row] == FIRING else Phase.OK
    return (
        not fields.changes
        and fields.flapping_since is None
        and fields.suppressed is None
        and fields.notified is believed
    )


def segments(rule: Rule, times: FloatArray, values: FloatArray) -> Segments:
    """Column segments for threshold, state-change and absence rules (see ``machine.segments``)."""
    valid = ~np.isnan(times) & ~np.isnan(values)
    starts = np.where(valid, times, np.nan)
    if rule.kind is RuleKind.ABSENCE:
        return _absence_segments(starts, valid, float(rule.window_seconds))
    if rule.kind is RuleKind.THRESHOLD:
        breach = forecast.holds(rule.comparison, values, rule.threshold)
        band = forecast.holds(rule.comparison, values, rule.recovery)
    else:
        breach = np.isin(values, [float(s) for s in rule.states])
        band = ~np.isin(values, [float(s) for s in rule.recovery_states])
    signals = np.where(breach, Signal.BREACH, np.where(band, Signal.HOLD, Signal.CLEAR))
    return Segments(starts, signals.astype(np.int8), np.where(valid, values, np.nan))


def _absence_segments(starts: FloatArray, valid: npt.NDArray[np.bool_], silence: float) -> Segments:
    rows, width = starts.shape
    # The next valid time after each column: a reversed running minimum (fmin skips NaN).
    following = np.fmin.accumulate(starts[:, ::-1], axis=1)[:, ::-1]
    after = np.full((rows, width), np.inf)
    after[:, :-1] = np.where(np.isnan(following[:, 1:]), np.inf, following[:, 1:])
    gap_start = starts + silence
    interleaved = np.full((rows, 2 * width), np.nan)
    interleaved[:, 0::2] = starts
    interleaved[:, 1::2] = np.where(valid & (after > gap_start), gap_start, np.nan)
    signals = np.zeros((rows, 2 * width), dtype=np.int8)
    signals[:, 1::2] = Signal.BREACH
    return Segments(interleaved, signals, np.full((rows, 2 * width), np.nan))


def _forecast_segments(rule: Rule, lines: forecast.Lines, now_s: float) -> Segments:
    signal = forecast.forecast_signals(
        lines,
        rule.comparison,
        rule.threshold,
        rule.horizon_seconds,
        rule.min_points,
        rule.min_span_seconds,
    )
    decided = signal >= 0
    starts = np.where(decided, now_s, np.nan)[:, None]
    return Segments(starts, signal[:, None], np.where(decided, lines.value_now, np.nan)[:, None])


def _store_forecast(
    rule: Rule, new: StateTable, lines: forecast.Lines, found: Segments, now_s: float
) -> None:
    decided = ~np.isnan(found.starts[:, 0])
    offset = forecast.crossing_offsets(lines, rule.comparison, rule.threshold)
    new.forecast_slope = np.where(decided, lines.slope, np.nan)
    new.forecast_value_now = np.where(decided, lines.value_now, np.nan)
    new.forecast_crossing = np.where(decided, now_s + offset, np.nan)
    new.forecast_points = np.where(decided, lines.count.astype(np.float64), np.nan)
    new.forecast_span = np.where(decided, lines.span, np.nan)


def _run_machine(
    rule: Rule, found: Segments, old: StateTable, new: StateTable, now_s: float
) -> _Log:
    """``machine.run`` column by column; writes phase, instants and values into ``new``."""
    phase, pending, firing, value = new.phase, new.pending_since, new.firing_since, new.value
    watermark = np.where(np.isnan(old.evaluated_at), -np.inf, old.evaluated_at)
    live = (found.starts > watermark[:, None]) & (found.starts <= now_s)
    hold = float(rule.for_seconds)
    log = _Log()
    for column in np.flatnonzero(live.any(axis=0)).tolist():
        rows = np.flatnonzero(live[:, column])
        start = found.starts[rows, column]
        due = (phase[rows] == PENDING) & (pending[rows] + hold < start)
        fired = rows[due]
        log.add(fired, TransitionKind.FIRING, pending[fired] + hold, value[fired], 2 * column)
        phase[fired], firing[fired] = FIRING, pending[fired] + hold
        seen = found.values[rows, column]
        has_value = ~np.isnan(seen)
        value[rows[has_value]] = seen[has_value]
        signal, now_phase, seq = found.signals[rows, column], phase[rows], 2 * column + 1
        begins = rows[(now_phase == OK) & (signal == Signal.BREACH)]
        cancels = rows[(now_phase == PENDING) & (signal != Signal.BREACH)]
        resolves = rows[(now_phase == FIRING) & (signal == Signal.CLEAR)]
        begin_at = found.starts[begins, column]
        pending[begins] = begin_at
        if hold == 0:
            phase[begins], firing[begins] = FIRING, begin_at
            log.add(begins, TransitionKind.FIRING, begin_at, value[begins], seq)
        else:
            phase[begins] = PENDING
            log.add(begins, TransitionKind.PENDING, begin_at, value[begins], seq)
        phase[cancels], pending[cancels] = OK, np.nan
        log.add(
            cancels, TransitionKind.CANCELLED, found.starts[cancels, column], value[cancels], seq
        )
        phase[resolves], pending[resolves], firing[resolves] = OK, np.nan, np.nan
        log.add(
            resolves, TransitionKind.RESOLVED, found.starts[resolves, column], value[resolves], seq
        )
    fired = np.flatnonzero((phase == PENDING) & (pending + hold <= now_s))
    log.add(
        fired, TransitionKind.FIRING, pending[fired] + hold, value[fired], 2 * found.starts.shape[1]
    )
    phase[fired], firing[fired] = FIRING, pending[fired] + hold
    return log


def _machine_deadline(
    rule: Rule, new: StateTable, times: FloatArray, values: FloatArray, now_s: float
) -> FloatArray:
    deadline = np.where(new.phase == PENDING, new.pending_since + rule.for_seconds, np.nan)
    if rule.kind is RuleKind.ABSENCE:
        valid = ~np.isnan(times) & ~np.isnan(values)
        gap_end = np.where(valid, times, -np.inf).max(axis=1, initial=-np.inf) + rule.window_seconds
        quiet = (new.phase == OK) & (gap_end > now_s)
        deadline = np.where(quiet, gap_end, deadline)
    return deadline
