"""The periodic-job scheduler: the grid of run times, claiming each run once, the lease."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from steward.core import schedule
from steward.core.models import PeriodicRun, SchedulerLease
from steward.core.schedule import acquire_lease, enqueue_due, next_due, periodic

T0 = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
HOUR = timedelta(hours=1)
US = timedelta(microseconds=1)


class FakeTask:
    """Stands in for a django_tasks Task: counts its enqueues."""

    def __init__(self, module_path: str) -> None:
        self.module_path = module_path
        self.enqueued = 0

    def enqueue(self) -> None:
        self.enqueued += 1


@pytest.fixture
def hourly(monkeypatch: pytest.MonkeyPatch) -> FakeTask:
    monkeypatch.setattr(schedule, "_jobs", {})
    return periodic(every=HOUR)(FakeTask("tests.jobs.hourly"))  # type: ignore[no-any-return]


# --- next_due -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (T0 - US, T0),  # not yet due: the stored time stands
        (T0, T0 + HOUR),  # due exactly now: the next slot
        (T0 + HOUR - US, T0 + HOUR),
        (T0 + HOUR, T0 + 2 * HOUR),  # a slot boundary is "after", never "at"
        (T0 + 5 * HOUR + timedelta(minutes=30), T0 + 6 * HOUR),  # missed runs are skipped
    ],
)
def test_next_due_stays_on_the_grid(now: datetime, expected: datetime) -> None:
    assert next_due(T0, HOUR, now) == expected
    assert next_due(T0, HOUR, now) > now or now < T0


def test_next_due_is_utc_arithmetic_across_a_dst_change() -> None:
    # 2026-03-29 is the EU spring-forward night; the grid is in UTC, so no slot moves.
    assert next_due(T0, HOUR, T0 + 2 * HOUR) == datetime(2026, 3, 29, 3, 30, tzinfo=UTC)


# --- enqueue_due --------------------------------------------------------------------------------


def test_a_due_job_is_enqueued_once_even_when_asked_twice(db: None, hourly: FakeTask) -> None:
    assert enqueue_due(T0) == ["tests.jobs.hourly"]
    assert enqueue_due(T0) == []
    assert hourly.enqueued == 1
    run = PeriodicRun.objects.get(name="tests.jobs.hourly")
    assert (run.next_run_at, run.last_run_at) == (T0 + HOUR, T0)


def test_the_next_run_comes_at_its_boundary(db: None, hourly: FakeTask) -> None:
    enqueue_due(T0)
    assert enqueue_due(T0 + HOUR - US) == []
    assert enqueue_due(T0 + HOUR) == ["tests.jobs.hourly"]
    assert hourly.enqueued == 2


def test_after_downtime_one_run_catches_up(db: None, hourly: FakeTask) -> None:
    enqueue_due(T0)
    assert enqueue_due(T0 + 5 * HOUR + US) == ["tests.jobs.hourly"]
    assert hourly.enqueued == 2
    assert PeriodicRun.objects.get().next_run_at == T0 + 6 * HOUR


def test_a_scheduler_with_a_stale_read_loses_the_compare_and_set(
    db: None, hourly: FakeTask, monkeypatch: pytest.MonkeyPatch
) -> None:
    PeriodicRun.objects.create(name="tests.jobs.hourly", next_run_at=T0)
    stale = PeriodicRun.objects.get()
    assert enqueue_due(T0) == ["tests.jobs.hourly"]  # the first scheduler wins

    def get_or_create(*args: Any, **kwargs: Any) -> tuple[PeriodicRun, bool]:
        return stale, False  # the second read the row before the first moved it

    monkeypatch.setattr(PeriodicRun.objects, "get_or_create", get_or_create)
    assert enqueue_due(T0) == []
    assert hourly.enqueued == 1


def test_the_decorator_returns_the_task_and_registers_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(schedule, "_jobs", {})
    task = FakeTask("tests.jobs.daily")
    assert periodic(every=timedelta(days=1))(task) is task
    [job] = schedule.registered_jobs()
    assert (job.name, job.task, job.every) == ("tests.jobs.daily", task, timedelta(days=1))


# --- the lease ----------------------------------------------------------------------------------

TTL = timedelta(seconds=30)


def test_one_holder_at_a_time_until_the_lease_expires(db: None) -> None:
    assert acquire_lease("scheduler", "a", T0, TTL)
    assert not acquire_lease("scheduler", "b", T0 + timedelta(seconds=1), TTL)
    assert not acquire_lease("scheduler", "b", T0 + TTL - US, TTL)
    assert acquire_lease("scheduler", "b", T0 + TTL, TTL)  # expired at that instant: stolen
    assert not acquire_lease("scheduler", "a", T0 + TTL + US, TTL)
    lease = SchedulerLease.objects.get(name="scheduler")
    assert (lease.holder, lease.expires_at) == ("b", T0 + 2 * TTL)


def test_the_holder_renews_its_lease(db: None) -> None:
    assert acquire_lease("scheduler", "a", T0, TTL)
    assert acquire_lease("scheduler", "a", T0 + timedelta(seconds=20), TTL)
    # Renewed: at the first expiry it is still a's.
    assert not acquire_lease("scheduler", "b", T0 + TTL, TTL)
    assert SchedulerLease.objects.get().expires_at == T0 + timedelta(seconds=50)


def test_leases_are_independent_by_name(db: None) -> None:
    assert acquire_lease("scheduler", "a", T0, TTL)
    assert acquire_lease("other", "b", T0, TTL)
