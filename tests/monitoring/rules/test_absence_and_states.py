"""Absence (silence for N seconds) and check-state rules, on the scripted clock."""

from __future__ import annotations

import pytest

from steward.monitoring.rules.model import (
    CheckState,
    Phase,
    Rule,
    RuleKind,
    Selector,
)
from tests.monitoring.rules.clock import Clock, at, kinds, offsets

SILENT = Rule(
    id="agent-silent",
    kind=RuleKind.ABSENCE,
    selector=Selector("agent_heartbeat"),
    window_seconds=600,
)
CRITICAL = Rule(
    id="check-critical",
    kind=RuleKind.STATE_CHANGE,
    selector=Selector("check_state"),
    for_seconds=120,
)
OK, WARNING, CRIT, UNKNOWN = (float(s) for s in CheckState)


@pytest.mark.parametrize(
    ("evaluated_at", "phase"),
    [(599, Phase.OK), (600, Phase.FIRING), (3600, Phase.FIRING)],
)
def test_absence_fires_after_exactly_the_silence(evaluated_at: int, phase: Phase) -> None:
    clock = Clock(SILENT).feed((0, 1.0))
    clock.tick(0)
    clock.tick(evaluated_at)
    assert clock.phase is phase


def test_absence_deadline_and_firing_instant() -> None:
    clock = Clock(SILENT).feed((0, 1.0), (60, 1.0))
    clock.tick(60)
    assert clock.state is not None
    assert clock.state.next_evaluation_at == at(660)
    found = clock.tick(900)
    assert kinds(found) == ["firing"]
    assert offsets(found) == [660]
    assert found[0].reason == "no data from agent_heartbeat for 600 s"


def test_a_new_sample_resolves_at_its_instant() -> None:
    clock = Clock(SILENT).feed((0, 1.0))
    clock.tick(0)
    clock.tick(700)
    clock.feed((800, 1.0))
    found = clock.tick(810)
    assert kinds(found) == ["resolved"]
    assert offsets(found) == [800]
    assert clock.state is not None
    assert clock.state.next_evaluation_at == at(1400)


def test_a_silence_shorter_than_the_window_does_nothing() -> None:
    clock = Clock(SILENT).feed((0, 1.0), (599, 1.0), (1198, 1.0))
    assert clock.tick(1200) == []


def test_a_gap_seen_only_afterwards_is_still_reported_at_its_instants() -> None:
    clock = Clock(SILENT).feed((0, 1.0))
    clock.tick(0)
    clock.feed((1000, 1.0))  # the evaluator was down during the gap
    assert kinds(clock.tick(1000)) == ["firing", "resolved"]
    assert offsets(clock.log) == [600, 1000]


def test_absence_with_for_goes_pending_first() -> None:
    rule = Rule(
        id="x", kind=RuleKind.ABSENCE, selector=Selector("m"), window_seconds=60, for_seconds=60
    )
    clock = Clock(rule).feed((0, 1.0))
    assert kinds(clock.tick(60)) == ["pending"]
    assert kinds(clock.tick(119)) == []
    assert kinds(clock.tick(120)) == ["firing"]


STATE_TABLE = [
    # (states as (offset, state) pairs, evaluated at, expected transitions)
    ([(0, OK), (10, CRIT)], 129, ["pending"]),  # critical for 119 s
    ([(0, OK), (10, CRIT)], 130, ["pending", "firing"]),  # critical for exactly 120 s
    ([(0, CRIT), (60, WARNING)], 200, ["pending", "cancelled"]),  # warning is not critical
    ([(0, CRIT), (200, WARNING)], 300, ["pending", "firing"]),  # warning holds a firing alert
    ([(0, CRIT), (200, UNKNOWN)], 300, ["pending", "firing"]),  # so does unknown
    ([(0, CRIT), (200, WARNING), (250, OK)], 300, ["pending", "firing", "resolved"]),
    ([(0, OK), (60, WARNING), (120, OK)], 300, []),
]


@pytest.mark.parametrize(("states", "evaluated_at", "expected"), STATE_TABLE)
def test_check_state_changes(
    states: list[tuple[int, float]], evaluated_at: int, expected: list[str]
) -> None:
    clock = Clock(CRITICAL).feed(*states)
    assert kinds(clock.tick(evaluated_at)) == expected


def test_state_reason_names_the_state() -> None:
    clock = Clock(CRITICAL).feed((0, CRIT))
    found = clock.tick(120)
    assert found[-1].reason == "check_state is critical, in critical for 120 s"
