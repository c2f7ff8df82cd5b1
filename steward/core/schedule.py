"""Periodic jobs: declared beside their task, enqueued by one scheduler.

    @periodic(every=timedelta(hours=1))
    @task()
    def prune_things() -> None: ...

The scheduler (in `steward up`, or `steward beat` holding a lease) claims each due job by
compare-and-set on ``PeriodicRun.next_run_at``, so two schedulers never enqueue the same run.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, close_old_connections, transaction
from django.utils import timezone

from steward.core.models import PeriodicRun, SchedulerLease

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task: Any  # a django_tasks Task
    every: timedelta


_jobs: dict[str, PeriodicJob] = {}


def periodic(every: timedelta) -> Callable[[Any], Any]:
    def register(task: Any) -> Any:
        name = f"{task.module_path}"
        _jobs[name] = PeriodicJob(name, task, every)
        return task

    return register


def registered_jobs() -> list[PeriodicJob]:
    return list(_jobs.values())


def next_due(last: datetime, every: timedelta, now: datetime) -> datetime:
    """The first run time after ``now`` on the grid last + k*every; missed runs are skipped."""
    if last > now:
        return last
    missed = (now - last) // every + 1
    return last + missed * every


def enqueue_due(now: datetime) -> list[str]:
    """Enqueue every periodic job whose time has come; returns the names enqueued."""
    enqueued = []
    for job in _jobs.values():
        try:
            run, _ = PeriodicRun.objects.get_or_create(name=job.name, defaults={"next_run_at": now})
        except IntegrityError:  # another scheduler created it first
            run = PeriodicRun.objects.get(name=job.name)
        if run.next_run_at > now:
            continue
        claimed = PeriodicRun.objects.filter(pk=run.pk, next_run_at=run.next_run_at).update(
            next_run_at=next_due(run.next_run_at, job.every, now), last_run_at=now
        )
        if claimed == 1:
            job.task.enqueue()
            enqueued.append(job.name)
    return enqueued


def acquire_lease(name: str, holder: str, now: datetime, ttl: timedelta) -> bool:
    """Take or renew the named lease; True when ``holder`` holds it until now + ttl."""
    with transaction.atomic():
        lease = SchedulerLease.objects.select_for_update().filter(name=name).first()
        if lease is None:
            try:
                with transaction.atomic():
                    SchedulerLease.objects.create(name=name, holder=holder, expires_at=now + ttl)
                return True
            except IntegrityError:
                return False
        if lease.holder != holder and lease.expires_at > now:
            return False
        updated = SchedulerLease.objects.filter(
            pk=lease.pk, holder=lease.holder, expires_at=lease.expires_at
        ).update(holder=holder, expires_at=now + ttl)
        return updated == 1


class SchedulerThread(threading.Thread):
    """Runs the scheduler loop every ``tick`` seconds while it holds the lease."""

    def __init__(self, holder: str, tick: float = 5.0) -> None:
        super().__init__(name="steward-scheduler", daemon=True)
        self.holder = holder
        self.tick = tick
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                now = timezone.now()
                if acquire_lease("scheduler", self.holder, now, timedelta(seconds=self.tick * 6)):
                    enqueue_due(now)
            except Exception:
                log.exception("scheduler tick failed; trying again next tick")
            finally:
                close_old_connections()
            self.stopping.wait(self.tick)

    def stop(self) -> None:
        self.stopping.set()
