"""Flap detection and maintenance suppression: what is told, what is only recorded."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from steward.monitoring.rules.model import (
    FlapSettings,
    Occurrence,
    Phase,
    Rule,
    RuleKind,
    Selector,
    Suppression,
    Transition,
)
from tests.monitoring.rules.clock import Clock, at, kinds, offsets

FLAPPY = Rule(
    id="disk",
    kind=RuleKind.THRESHOLD,
    selector=Selector("disk_used_percent"),
    threshold=90.0,
    flap=FlapSettings(max_changes=3, window_seconds=600, stable_seconds=300),
)


def told(transitions: list[Transition]) -> list[tuple[str, float]]:
    return [(t.kind.value, (t.at - at(0)).total_seconds()) for t in transitions if t.notify]


def run_minutes(clock: Clock, values: Sequence[float], until: int) -> None:
    for minute in range(until):
        if minute < len(values):
            clock.feed((60 * minute, values[minute]))
        clock.tick(60 * minute)


def test_more_than_k_changes_within_the_window_flap_and_are_suppressed() -> None:
    clock = Clock(FLAPPY)
    run_minutes(clock, [95, 50, 95, 50, 95, 95, 95, 95, 95, 95], until=5)
    assert kinds(clock.log) == ["firing", "resolved", "firing", "flapping", "resolved", "firing"]
    assert told(clock.log) == [("firing", 0), ("resolved", 60), ("firing", 120)]
    flapping = [t for t in clock.log if t.suppressed is Suppression.FLAPPING]
    assert offsets(flapping) == [180, 240]
    assert clock.state is not None
    assert clock.state.flapping_since == at(180)
    assert clock.state.suppressed is Suppression.FLAPPING
    assert clock.state.next_evaluation_at == at(540)  # last change + stable_seconds


@pytest.mark.parametrize(
    ("values", "stable_at", "owed"),
    [
        # last change (firing) at 240: the ticket opened at 120 is still right, nothing owed
        ([95, 50, 95, 50, 95], 540, []),
        # last change (resolved) at 300: the world still believes firing, so it is told
        ([95, 50, 95, 50, 95, 50], 600, [("resolved", 600)]),
    ],
)
def test_stable_after_s_seconds_tells_what_was_missed(
    values: list[float], stable_at: int, owed: list[tuple[str, float]]
) -> None:
    clock = Clock(FLAPPY)
    run_minutes(clock, values + [values[-1]] * 20, until=stable_at // 60)
    assert clock.state is not None
    assert clock.state.flapping_since == at(180)
    assert clock.state.next_evaluation_at == at(stable_at)
    assert clock.tick(stable_at - 1) == []
    settled = clock.tick(stable_at)
    assert clock.state.flapping_since is None
    assert clock.state.suppressed is None
    assert kinds(settled)[0] == "stable"
    assert offsets(settled)[0] == stable_at
    assert told(settled) == owed


def test_changes_spread_wider_than_the_window_do_not_flap() -> None:
    clock = Clock(FLAPPY)
    values = [95, 95, 95, 95, 50, 50, 50, 50, 95, 95, 95, 95, 50, 50, 50, 50, 95]
    run_minutes(clock, values, until=len(values))
    assert "flapping" not in kinds(clock.log)
    assert len(told(clock.log)) == 5


def test_flap_detection_off() -> None:
    rule = Rule(
        id="x",
        kind=RuleKind.THRESHOLD,
        selector=Selector("m"),
        threshold=90,
        flap=FlapSettings(max_changes=0),
    )
    clock = Clock(rule)
    run_minutes(clock, [95, 50] * 6, until=12)
    assert len(told(clock.log)) == 12


WINDOW = Occurrence(at(300), at(900), "patch-night")
SIMPLE = Rule(id="cpu", kind=RuleKind.THRESHOLD, selector=Selector("cpu"), threshold=90)

MAINTENANCE_TABLE = [
    # (points, evaluated at, expected (kind, suppressed?, notify?) of that evaluation)
    ([(299, 95.0)], 299, [("firing", None, True)]),  # 1 s before the start: told
    ([(300, 95.0)], 300, [("firing", Suppression.MAINTENANCE, False)]),  # start inclusive
    ([(899, 95.0)], 899, [("firing", Suppression.MAINTENANCE, False)]),
    ([(900, 95.0)], 900, [("firing", None, True)]),  # end exclusive
]


@pytest.mark.parametrize(("points", "evaluated_at", "expected"), MAINTENANCE_TABLE)
def test_maintenance_boundaries(
    points: list[tuple[float, float]], evaluated_at: int, expected: list[tuple[str, object, bool]]
) -> None:
    clock = Clock(SIMPLE, maintenance=[WINDOW]).feed(*points)
    found = clock.tick(evaluated_at)
    assert [(t.kind.value, t.suppressed, t.notify) for t in found] == expected


def test_still_firing_when_maintenance_ends_is_told_then() -> None:
    clock = Clock(SIMPLE, maintenance=[WINDOW]).feed((400, 95.0))
    clock.tick(400)
    assert clock.state is not None
    assert clock.state.suppressed is Suppression.MAINTENANCE
    assert clock.state.next_evaluation_at == at(900)
    assert clock.tick(899) == []
    owed = clock.tick(900)
    assert told(owed) == [("firing", 900)]
    assert clock.state.suppressed is None


def test_resolved_inside_maintenance_is_told_when_it_ends() -> None:
    clock = Clock(SIMPLE, maintenance=[WINDOW]).feed((100, 95.0))
    clock.tick(100)
    clock.feed((500, 10.0))
    assert told(clock.tick(500)) == []
    assert told(clock.tick(900)) == [("resolved", 900)]
    assert clock.phase is Phase.OK


def test_fired_and_resolved_inside_maintenance_leaves_nothing_owed() -> None:
    clock = Clock(SIMPLE, maintenance=[WINDOW]).feed((400, 95.0), (500, 10.0))
    found = clock.tick(600)
    assert kinds(found) == ["firing", "resolved"]
    assert all(t.suppressed is Suppression.MAINTENANCE for t in found)
    assert told(clock.tick(900)) == []
