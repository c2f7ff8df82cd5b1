"""Scheduling: the pure time functions at their exact boundaries, then the Scheduler driven by
a clock the test sets."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from steward.collector.checks import RUNNERS, CheckContext, CheckOutcome, CheckSpec, State
from steward.collector.scheduler import (
    LagStats,
    Scheduler,
    diff_checks,
    first_due,
    next_due,
    phase,
)


def test_phase_is_stable_spread_and_inside_the_interval() -> None:
    assert phase(12, 10.0) == phase(12, 10.0)
    phases = [phase(i, 10.0) for i in range(1000)]
    assert all(0 <= p < 10 for p in phases)
    # spread: every tenth of the interval holds some checks, none holds a fifth of them
    tenths = [sum(1 for p in phases if k <= p < k + 1) for k in range(10)]
    assert min(tenths) > 50
    assert max(tenths) < 200


def test_first_due_is_the_next_slot_of_the_grid() -> None:
    p = phase(7, 60.0)
    on_grid = 1_800_000_000.0 + p
    assert first_due(7, 60.0, on_grid) == on_grid
    assert first_due(7, 60.0, on_grid + 0.001) == pytest.approx(on_grid + 60)
    assert first_due(7, 60.0, on_grid - 0.001) == pytest.approx(on_grid)


def test_next_due_keeps_the_grid_and_counts_missed_slots() -> None:
    assert next_due(100.0, 10.0, 100.05) == (110.0, 0)
    assert next_due(100.0, 10.0, 110.0) == (110.0, 0)  # exactly at the next slot: due now
    assert next_due(100.0, 10.0, 110.001) == (120.0, 1)
    assert next_due(100.0, 10.0, 125.0) == (130.0, 2)


def test_diff_checks() -> None:
    a, b = CheckSpec(1, "tcp", 10, 5, {"port": 1}), CheckSpec(2, "tcp", 10, 5)
    changes = diff_checks({1: a, 2: b}, {1: CheckSpec(1, "tcp", 10, 5, {"port": 2}), 3: b})
    assert (changes.added, changes.removed, changes.changed) == ([3], [2], [1])


def test_lag_quantiles_by_nearest_rank() -> None:
    stats = LagStats()
    for lag in range(1, 101):
        stats.record(lag / 1000)
    assert stats.quantile(0.5) == 0.05
    assert stats.quantile(0.99) == 0.099
    assert stats.quantile(1.0) == 0.1


@pytest.fixture
def instant_checks() -> Iterator[list[int]]:
    """A check type that finishes at once, or hangs while its id is in the list returned."""
    hanging: list[int] = []

    async def run(check: CheckSpec, ctx: CheckContext) -> CheckOutcome:
        if check.id in hanging:
            await asyncio.sleep(3600)
        return CheckOutcome(State.OK, f"ran {check.id}")

    RUNNERS["instant"] = run
    yield hanging
    del RUNNERS["instant"]


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def spec(check_id: int, interval_s: float = 10.0) -> CheckSpec:
    return CheckSpec(check_id, "instant", interval_s, 5.0)


@pytest.mark.anyio
async def test_scheduler_starts_each_check_in_its_slot(instant_checks: list[int]) -> None:
    clock = Clock(1_800_000_000.0)
    ran: list[tuple[int, float]] = []
    scheduler = Scheduler(CheckContext(), lambda s, at, o: ran.append((s.id, at)), clock=clock)
    scheduler.apply({1: spec(1), 2: spec(2)})
    due = {i: first_due(i, 10.0, clock.now) for i in (1, 2)}

    for check_id in sorted(due, key=due.__getitem__):
        clock.now = due[check_id] - 0.001
        scheduler.start_due(clock.now)
        await asyncio.sleep(0)
        assert check_id not in [i for i, _ in ran]
        clock.now = due[check_id]
        scheduler.start_due(clock.now)
        await asyncio.sleep(0.01)
        assert ran[-1] == (check_id, due[check_id])
    assert scheduler.stats.quantile(1.0) == 0.0

    clock.now = max(due.values()) + 10  # one interval later, both are due again
    scheduler.start_due(clock.now)
    await asyncio.sleep(0.01)
    assert sorted(i for i, _ in ran) == [1, 1, 2, 2]
    assert scheduler.stats.runs == 4


@pytest.mark.anyio
async def test_assignment_changes_apply_without_restart(instant_checks: list[int]) -> None:
    clock = Clock(1_800_000_000.0)
    ran: list[int] = []
    scheduler = Scheduler(CheckContext(), lambda s, at, o: ran.append(s.id), clock=clock)
    scheduler.apply({1: spec(1), 2: spec(2)})
    changes = scheduler.apply({2: spec(2, interval_s=30.0), 3: spec(3)})
    assert (changes.added, changes.removed, changes.changed) == ([3], [1], [2])
    clock.now += 31
    scheduler.start_due(clock.now)
    await asyncio.sleep(0.01)
    assert sorted(ran) == [2, 3]  # 1 is gone; 2 runs once on its new grid, not also on its old


@pytest.mark.anyio
async def test_a_run_still_going_is_not_started_twice(instant_checks: list[int]) -> None:
    instant_checks.append(1)
    clock = Clock(1_800_000_000.0)
    scheduler = Scheduler(CheckContext(), lambda s, at, o: None, clock=clock)
    scheduler.apply({1: spec(1)})
    clock.now += 10
    scheduler.start_due(clock.now)
    await asyncio.sleep(0)
    clock.now += 10
    scheduler.start_due(clock.now)
    assert scheduler.stats.overlapped == 1
    clock.now += 35  # the collector stalled: three slots passed
    scheduler.start_due(clock.now)
    assert scheduler.stats.missed == 3
    stop = asyncio.Event()
    stop.set()
    await scheduler.run(stop, grace_s=0.05)  # cancels the hanging run


@pytest.mark.anyio
async def test_concurrency_limit_queues_starts(instant_checks: list[int]) -> None:
    instant_checks.extend([1, 2, 3])
    clock = Clock(1_800_000_000.0)
    ran: list[int] = []
    scheduler = Scheduler(CheckContext(), lambda s, at, o: ran.append(s.id), 2, clock=clock)
    scheduler.apply({i: spec(i) for i in (1, 2, 3)})
    clock.now += 10
    scheduler.start_due(clock.now)
    await asyncio.sleep(0.01)
    assert ran == []
    assert scheduler.stats.runs == 2  # two hold both places; the third waits to start
    stop = asyncio.Event()
    stop.set()
    await scheduler.run(stop, grace_s=0.05)
