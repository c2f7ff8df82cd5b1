"""Business time hot path: one million SLA-style ``add`` computations through the batch form.

Calendar: Berlin office hours with a lunch break and Berlin public holidays. Starts are random
over two years, durations random up to 40 business hours. Prints a small table, then the
figures as ``name: value unit (target …)`` lines, the batch figure last.

Run: .venv/bin/python bench/businesstime.py
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime

import numpy as np

from steward.core import businesstime as bt
from steward.core.calendarspec import parse_calendar

N = 1_000_000
SCALAR_CALLS = 20_000
RUNS = 5
CALENDAR = {
    "name": "Berlin office",
    "timezone": "Europe/Berlin",
    "hours": {
        d: [["09:00", "12:30"], ["13:30", "17:30"]] for d in ("mon", "tue", "wed", "thu", "fri")
    },
    "holidays": {"country": "DE", "subdivision": "BE"},
    "closures": ["2026-12-24", "2027-12-24"],
}


def main() -> None:
    spec = parse_calendar(CALENDAR)
    rng = np.random.default_rng(20260101)
    lo = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp())
    hi = int(datetime(2028, 1, 1, tzinfo=UTC).timestamp())
    starts = rng.integers(lo, hi, size=N, dtype=np.int64)
    seconds = rng.integers(0, 40 * 3600 + 1, size=N, dtype=np.int64)

    began = time.perf_counter()
    compiled = bt.CompiledCalendar(spec)
    bt.add_many(compiled, starts, seconds)
    cold = time.perf_counter() - began

    batch_runs = []
    for _ in range(RUNS):
        began = time.perf_counter()
        found = bt.add_many(compiled, starts, seconds)
        batch_runs.append(time.perf_counter() - began)
    batch = statistics.median(batch_runs)

    began = time.perf_counter()
    bt.between_many(compiled, starts, found)
    between_batch = time.perf_counter() - began

    scalar = scalar_median(compiled, starts[:SCALAR_CALLS], seconds[:SCALAR_CALLS], found)
    table = compiled.table
    assert table is not None

    print(f"{'measure':<38} {'value':>12}")
    print(f"{'compiled intervals':<38} {table.starts.size - 1:>12,}")
    print(f"{'add_many 1M, cold (compiles years)':<38} {cold:>10.3f} s")
    print(f"{'add_many 1M, median of ' + str(RUNS):<38} {batch:>10.3f} s")
    print(f"{'between_many 1M':<38} {between_batch:>10.3f} s")
    print(f"{'add scalar, median per call':<38} {scalar * 1e6:>9.2f} us")
    print(f"businesstime_scalar_median: {scalar * 1e6:.2f} us (target: report)")
    print(f"businesstime_batch_1m: {batch:.3f} s (target < 1 s)")


def scalar_median(
    compiled: bt.CompiledCalendar, starts: np.ndarray, seconds: np.ndarray, expected: np.ndarray
) -> float:
    """Median wall time of one scalar ``add`` call, checked against the batch results."""
    moments = [datetime.fromtimestamp(int(s), UTC) for s in starts]
    durations = [int(s) for s in seconds]
    timings = []
    for index, (moment, duration) in enumerate(zip(moments, durations, strict=True)):
        began = time.perf_counter_ns()
        result = bt.add(compiled, moment, duration)
        timings.append(time.perf_counter_ns() - began)
        if int(result.timestamp()) != int(expected[index]):
            raise AssertionError(f"scalar and batch disagree at {moment} + {duration} s")
    return statistics.median(timings) / 1e9


if __name__ == "__main__":
    main()
