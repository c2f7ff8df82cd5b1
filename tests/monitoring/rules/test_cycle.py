"""The batch cycle agrees with ``evaluate`` (the reference), row by row, over random inputs."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from steward.monitoring.rules.cycle import pack, run_cycle
from steward.monitoring.rules.defaults import CPU
from steward.monitoring.rules.evaluate import evaluate
from steward.monitoring.rules.model import (
    AlertState,
    CheckState,
    Comparison,
    FlapSettings,
    Occurrence,
    Rule,
    RuleKind,
    Selector,
    SeriesWindow,
    Transition,
)
from steward.monitoring.rules.table import StateTable
from tests.monitoring.rules.clock import S0, at

flaps = st.builds(
    FlapSettings,
    max_changes=st.integers(0, 3),
    window_seconds=st.integers(10, 300),
    stable_seconds=st.integers(10, 200),
)
comparisons = st.sampled_from(list(Comparison))


@st.composite
def rules(draw: st.DrawFn) -> Rule:
    kind = draw(st.sampled_from(list(RuleKind)))
    base = Rule(
        id="r",
        kind=RuleKind.THRESHOLD,
        selector=Selector("m"),
        for_seconds=draw(st.sampled_from([0, 0, 5, 30, 60])),
        flap=draw(flaps),
    )
    if kind is RuleKind.THRESHOLD:
        comparison = draw(comparisons)
        threshold = draw(st.integers(0, 10))
        band = draw(st.integers(0, 3))
        recovery = threshold - band if comparison.upward else threshold + band
        return replace(
            base, comparison=comparison, threshold=threshold, recovery_threshold=recovery
        )
    if kind is RuleKind.ABSENCE:
        return replace(base, kind=kind, window_seconds=draw(st.integers(1, 60)))
    if kind is RuleKind.STATE_CHANGE:
        triggers = draw(st.sets(st.sampled_from(list(CheckState)), min_size=1, max_size=2))
        rest = [s for s in CheckState if s not in triggers]
        recovered = draw(st.sets(st.sampled_from(rest), min_size=1, max_size=len(rest)))
        return replace(
            base, kind=kind, states=frozenset(triggers), recovery_states=frozenset(recovered)
        )
    return replace(
        base,
        kind=kind,
        comparison=draw(comparisons),
        threshold=draw(st.integers(0, 20)),
        window_seconds=draw(st.integers(10, 200)),
        horizon_seconds=draw(st.integers(1, 200)),
        min_points=draw(st.integers(2, 5)),
        min_span_seconds=draw(st.integers(0, 30)),
    )


@st.composite
def series(draw: st.DrawFn) -> list[tuple[float, float]]:
    gaps = draw(st.lists(st.integers(1, 40), max_size=14))
    empty = not gaps and draw(st.booleans())
    times: list[int] = [] if empty else np.cumsum([0, *gaps]).tolist()
    values = draw(st.lists(st.integers(0, 12), min_size=len(times), max_size=len(times)))
    return [(S0 + t, float(v)) for t, v in zip(times, values, strict=True)]


@st.composite
def maintenances(draw: st.DrawFn) -> list[Occurrence]:
    found = []
    for _ in range(draw(st.integers(0, 2))):
        start = draw(st.integers(0, 300))
        found.append(Occurrence(at(start), at(start + draw(st.integers(1, 200)))))
    return found


def by_key(transitions: list[Transition]) -> dict[str, list[Transition]]:
    grouped: dict[str, list[Transition]] = {}
    for transition in transitions:
        grouped.setdefault(transition.key, []).append(transition)
    return grouped


@settings(max_examples=300, deadline=None)
@given(
    rule=rules(),
    rows=st.lists(st.tuples(series(), maintenances()), min_size=1, max_size=5),
    steps=st.lists(st.integers(1, 120), min_size=1, max_size=5),
)
def test_cycle_agrees_with_evaluate(
    rule: Rule, rows: list[tuple[list[tuple[float, float]], list[Occurrence]]], steps: list[int]
) -> None:
    identities = [f"series:{i}" for i in range(len(rows))]
    table = StateTable.empty(rule.id, identities)
    states: list[AlertState | None] = [None] * len(rows)
    now = at(0)
    for step in steps:
        now += timedelta(seconds=step)
        windows = [
            SeriesWindow(identity, tuple(p for p in points if p[0] <= now.timestamp()))
            for identity, (points, _) in zip(identities, rows, strict=True)
        ]
        expected: list[Transition] = []
        before = list(states)
        for row, window in enumerate(windows):
            states[row], found = evaluate(rule, window, states[row], now, rows[row][1])
            expected.extend(found)
        _, times, values = pack(windows)
        maintenance = {row: occ for row, (_, occ) in enumerate(rows) if occ}
        result = run_cycle(rule, table, times, values, now, maintenance)
        table = result.table
        assert [table.state(row) for row in range(len(rows))] == states
        assert by_key(result.transitions) == by_key(expected)
        for transition in expected:
            event(f"{rule.kind.value} {transition.kind.value} {transition.suppressed}")
        changed = set(result.changed.tolist())
        for row, state in enumerate(states):
            if row not in changed:  # only the watermark, the value and the fit may move
                assert state is not None
                old = before[row] or AlertState(key=state.key)
                assert replace(state, evaluated_at=None, value=None, forecast=None) == replace(
                    old, evaluated_at=None, value=None, forecast=None
                )


def test_from_states_round_trips() -> None:
    window = SeriesWindow("s", ((S0, 95.0),))
    state, _ = evaluate(CPU, window, None, at(700))
    table = StateTable.from_states(CPU.id, ["s", "t"], [state, None])
    assert table.state(0) == state
    assert table.state(1) == AlertState(key=table.key(1))


def test_mismatched_inputs_are_refused() -> None:
    table = StateTable.empty(CPU.id, ["a", "b"])
    times = np.zeros((2, 3))
    with pytest.raises(ValueError, match="one row per table row"):
        run_cycle(CPU, table, times[:1], times[:1], at(0))
    with pytest.raises(ValueError, match="must both be"):
        run_cycle(CPU, table, times, times[:, :2], at(0))
    with pytest.raises(ValueError, match="states of rule 'other'"):
        run_cycle(CPU, StateTable.empty("other", ["a", "b"]), times, times, at(0))


def test_pack_pads_with_nan() -> None:
    identities, times, values = pack(
        [SeriesWindow("a", ((S0, 1.0), (S0 + 60, 2.0))), SeriesWindow("b")]
    )
    assert identities == ["a", "b"]
    assert times.shape == values.shape == (2, 2)
    assert np.isnan(times[1]).all()
    assert values[0].tolist() == [1.0, 2.0]
