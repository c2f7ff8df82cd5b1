"""When each check runs: every `interval_s` on a grid whose phase comes from a hash of the check
id (so a restarted collector keeps the same spread and 5,000 checks of 10 s do not all start on
the same second), with at most `concurrency` running at once and each under its own timeout.

The time logic is pure functions of `now`; the `Scheduler` only applies them on a clock."""

from __future__ import annotations

import asyncio
import hashlib
import heapq
import logging
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from steward.collector.checks import CheckContext, CheckOutcome, CheckSpec, run_check

log = logging.getLogger("steward.collector.scheduler")

OnOutcome = Callable[[CheckSpec, float, CheckOutcome], None]
MAX_IDLE_S = 1.0


def phase(check_id: int, interval_s: float) -> float:
    """Where in each interval the check starts, in [0, interval_s): stable across restarts and
    machines (Python's own `hash` is salted per process)."""
    digest = hashlib.sha256(str(check_id).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 * interval_s


GRID_TOLERANCE_S = 1e-6


def first_due(check_id: int, interval_s: float, now: float) -> float:
    """The first slot of the check's grid at or after `now` (unix seconds). Within a
    microsecond of a slot counts as on it: float rounding must not push a due check a whole
    interval away."""
    offset = (phase(check_id, interval_s) - now) % interval_s
    return now if offset > interval_s - GRID_TOLERANCE_S else now + offset


def next_due(previous_due: float, interval_s: float, now: float) -> tuple[float, int]:
    """The slot after `previous_due` that is not already past at `now`, and how many slots were
    missed on the way (a collector that stalled runs once late, then keeps to its grid)."""
    steps = max(1, math.ceil((now - previous_due) / interval_s))
    return previous_due + steps * interval_s, steps - 1


@dataclass
class Changes:
    added: list[int] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)
    changed: list[int] = field(default_factory=list)


def diff_checks(old: Mapping[int, CheckSpec], new: Mapping[int, CheckSpec]) -> Changes:
    return Changes(
        added=sorted(new.keys() - old.keys()),
        removed=sorted(old.keys() - new.keys()),
        changed=sorted(i for i in old.keys() & new.keys() if old[i] != new[i]),
    )


@dataclass
class LagStats:
    """Start lags (actual start minus slot, seconds) of the recent runs, for quantiles; the
    window restarts when full so a long-running collector does not grow."""

    limit: int = 200_000
    lags: list[float] = field(default_factory=list)
    runs: int = 0
    missed: int = 0  # slots skipped because the collector was behind
    overlapped: int = 0  # slots skipped because the previous run had not finished

    def record(self, lag: float) -> None:
        if len(self.lags) >= self.limit:
            self.lags.clear()
        self.lags.append(lag)
        self.runs += 1

    def quantile(self, q: float) -> float:
        """The q-quantile (nearest rank) of the window; 0 when empty."""
        if not self.lags:
            return 0.0
        ordered = sorted(self.lags)
        return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


class Scheduler:
    """Runs the assigned checks on their grids until stopped; `apply` swaps the assignment."""

    def __init__(
        self,
        ctx: CheckContext,
        on_outcome: OnOutcome,
        concurrency: int = 200,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.ctx = ctx
        self.on_outcome = on_outcome
        self.clock = clock
        self.checks: dict[int, CheckSpec] = {}
        self.stats = LagStats()
        self._semaphore = asyncio.Semaphore(concurrency)
        self._heap: list[tuple[float, int, int]] = []  # (due, check id, generation)
        self._generation: dict[int, int] = {}
        self._running: set[int] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._wakeup: asyncio.Future[None] | None = None

    def apply(self, checks: Mapping[int, CheckSpec]) -> Changes:
        """Add, drop and replace checks without a restart; a changed check starts afresh on
        its grid (and forgets its memory, e.g. SNMP counters)."""
        changes = diff_checks(self.checks, checks)
        now = self.clock()
        for check_id in changes.removed + changes.changed:
            self._generation[check_id] = self._generation.get(check_id, 0) + 1
            self.ctx.forget(check_id)
        for check_id in changes.removed:
            del self.checks[check_id]
        for check_id in changes.added + changes.changed:
            spec = self.checks[check_id] = checks[check_id]
            due = first_due(check_id, spec.interval_s, now)
            heapq.heappush(self._heap, (due, check_id, self._generation.get(check_id, 0)))
        self._wake()
        return changes

    def _wake(self) -> None:
        if self._wakeup is not None and not self._wakeup.done():
            self._wakeup.set_result(None)

    async def run(self, stop: asyncio.Event, grace_s: float = 5.0) -> None:
        """Start checks as they fall due until `stop` is set; then give the running ones
        `grace_s` to finish and cancel the rest (a cancelled plugin is killed)."""
        loop = asyncio.get_running_loop()
        watcher = loop.create_task(self._wake_on(stop))
        try:
            while not stop.is_set():
                self.start_due(self.clock())
                delay = MAX_IDLE_S if not self._heap else self._heap[0][0] - self.clock()
                if delay > 0:
                    self._wakeup = loop.create_future()
                    timer = loop.call_later(min(delay, MAX_IDLE_S), self._wake)
                    await self._wakeup
                    timer.cancel()
        finally:
            watcher.cancel()
        if self._tasks:
            _, late = await asyncio.wait(self._tasks, timeout=grace_s)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)

    async def _wake_on(self, stop: asyncio.Event) -> None:
        await stop.wait()
        self._wake()

    def start_due(self, now: float) -> None:
        """Start every check whose slot is at or before `now` and plan its next slot."""
        while self._heap and self._heap[0][0] <= now:
            due, check_id, generation = heapq.heappop(self._heap)
            if generation != self._generation.get(check_id, 0):
                continue  # removed or changed since this slot was planned
            spec = self.checks[check_id]
            upcoming, missed = next_due(due, spec.interval_s, now)
            self.stats.missed += missed
            heapq.heappush(self._heap, (upcoming, check_id, generation))
            if check_id in self._running:
                self.stats.overlapped += 1
                continue
            self._running.add(check_id)
            task = asyncio.get_running_loop().create_task(self._execute(spec, due))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _execute(self, spec: CheckSpec, due: float) -> None:
        try:
            async with self._semaphore:
                started = self.clock()
                self.stats.record(started - due)
                outcome = await run_check(spec, self.ctx)
            self.on_outcome(spec, started, outcome)
        except Exception:  # the outcome sink failing must not kill the scheduler
            log.exception("check %s: could not record its outcome", spec.id)
        finally:
            self._running.discard(spec.id)
