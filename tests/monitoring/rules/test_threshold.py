"""Threshold rules: ``for`` at its exact boundary, and hysteresis (recovery threshold)."""

from __future__ import annotations

import pytest

from steward.monitoring.rules.evaluate import retire
from steward.monitoring.rules.model import (
    Comparison,
    Phase,
    Rule,
    RuleKind,
    Selector,
    TransitionKind,
)
from tests.monitoring.rules.clock import Clock, at, kinds, offsets

CPU = Rule(
    id="cpu-high",
    kind=RuleKind.THRESHOLD,
    selector=Selector("cpu_usage_percent"),
    threshold=90.0,
    recovery_threshold=80.0,
    for_seconds=600,
)


@pytest.mark.parametrize(
    ("evaluated_at", "phase"),
    [
        (0, Phase.PENDING),
        (599, Phase.PENDING),  # held for_seconds - 1 s
        (600, Phase.FIRING),  # held exactly for_seconds
        (601, Phase.FIRING),
    ],
)
def test_for_boundary_without_new_samples(evaluated_at: int, phase: Phase) -> None:
    clock = Clock(CPU).feed((0, 95.0))
    clock.tick(evaluated_at)
    assert clock.phase is phase


def test_firing_instant_is_the_deadline_not_the_late_evaluation() -> None:
    clock = Clock(CPU).feed((0, 95.0))
    assert kinds(clock.tick(0)) == ["pending"]
    assert clock.state is not None
    assert clock.state.next_evaluation_at == at(600)
    fired = clock.tick(1234)
    assert kinds(fired) == ["firing"]
    assert offsets(fired) == [600]
    assert fired[0].notify
    assert fired[0].value == 95.0
    assert clock.state.firing_since == at(600)
    assert clock.state.next_evaluation_at is None


@pytest.mark.parametrize(
    ("clear_at", "expected"),
    [
        (599, ["pending", "cancelled"]),  # cleared 1 s before the deadline: never fires
        (600, ["pending", "cancelled"]),  # cleared at the deadline: held only [0, 600)
        (601, ["pending", "firing", "resolved"]),  # held [0, 601): fired at 600
    ],
)
def test_contradicting_sample_at_the_deadline(clear_at: int, expected: list[str]) -> None:
    clock = Clock(CPU).feed((0, 95.0), (clear_at, 10.0))
    assert kinds(clock.tick(700)) == expected


def test_samples_every_minute_fire_at_the_for_deadline() -> None:
    clock = Clock(CPU)
    for minute in range(12):
        clock.feed((60 * minute, 91.0 + minute))
        clock.tick(60 * minute + 5)
    assert kinds(clock.log) == ["pending", "firing"]
    assert offsets(clock.log) == [0, 600]


HYSTERESIS = [
    # (value after firing, expected phase): the band (80, 90] keeps it firing
    (89.9, Phase.FIRING),
    (85.0, Phase.FIRING),
    (80.1, Phase.FIRING),
    (80.0, Phase.OK),  # "> 80" no longer holds: recovered
    (40.0, Phase.OK),
]


@pytest.mark.parametrize(("value", "phase"), HYSTERESIS)
def test_hysteresis_band_keeps_firing(value: float, phase: Phase) -> None:
    clock = Clock(CPU).feed((0, 95.0))
    clock.tick(600)
    clock.feed((660, value))
    found = clock.tick(700)
    assert clock.phase is phase
    if phase is Phase.OK:
        assert kinds(found) == ["resolved"]
        assert offsets(found) == [660]
        assert found[0].notify


def test_band_value_cancels_a_pending_alert() -> None:
    clock = Clock(CPU).feed((0, 95.0), (60, 85.0))
    assert kinds(clock.tick(120)) == ["pending", "cancelled"]
    assert clock.phase is Phase.OK


def test_refiring_after_resolution_starts_a_new_for() -> None:
    clock = Clock(CPU).feed((0, 95.0), (700, 50.0), (800, 99.0))
    clock.tick(1399)
    assert kinds(clock.log) == ["pending", "firing", "resolved", "pending"]
    assert kinds(clock.tick(1400)) == ["firing"]


def test_for_zero_fires_on_the_sample() -> None:
    rule = Rule(
        id="tls",
        kind=RuleKind.THRESHOLD,
        selector=Selector("tls_cert_days_left"),
        comparison=Comparison.LT,
        threshold=14,
    )
    clock = Clock(rule).feed((0, 30.0), (60, 13.5), (120, 14.0))
    found = clock.tick(120)
    assert kinds(found) == ["firing", "resolved"]
    assert offsets(found) == [60, 120]
    assert "tls_cert_days_left = 13.5 < 14" in found[0].reason


def test_a_second_evaluation_at_the_same_instant_changes_nothing() -> None:
    clock = Clock(CPU).feed((0, 95.0))
    clock.tick(600)
    state = clock.state
    assert clock.tick(600) == []
    assert clock.state == state


def test_late_samples_older_than_the_last_evaluation_are_ignored() -> None:
    clock = Clock(CPU).feed((0, 95.0))
    clock.tick(300)
    clock.feed((200, 10.0))  # arrives after the evaluation at 300 that it predates
    assert kinds(clock.tick(600)) == ["firing"]


def test_dedup_key_is_rule_and_series() -> None:
    clock = Clock(CPU).feed((0, 95.0))
    found = clock.tick(0)
    assert found[0].key.startswith("cpu-high:")
    assert found[0].kind is TransitionKind.PENDING
    assert clock.state is not None
    assert clock.state.key == found[0].key


def test_retiring_a_firing_alert_resolves_it() -> None:
    clock = Clock(CPU).feed((0, 95.0))
    clock.tick(600)
    assert clock.state is not None
    state, found = retire(CPU, clock.state, at(700))
    assert kinds(found) == ["resolved"]
    assert found[0].notify
    assert found[0].reason == "rule disabled or removed"
    assert state.phase is Phase.OK
    _, again = retire(CPU, state, at(800))
    assert again == []
