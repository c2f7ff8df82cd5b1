"""Alert evaluation hot path: one cycle of the default server rules over 100,000 active series.

The series mix (per rule, points per window): CPU 20,000 x 60 (one a minute for an hour),
memory 20,000 x 60, disks 30,000 x 60 for the threshold and the same 30,000 x 288 (five-minute
points over 24 hours) for the disk-full forecast, check states 15,000 x 60, agent heartbeats
10,000 x 10, TLS days-left 5,000 x 10: 100,000 series. About 2 % of them breach; at the
newest point about 1 % change (a fresh breach, or a recovery).

A warm-up cycle one minute earlier gives every series its state (that is the "cold" figure:
every column new); the timed cycle then sees one new point per series, as in production.
Prints a small table, then ``name: value unit (target …)`` lines, the cycle figure last.

Run: .venv/bin/python bench/alerts.py
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

from steward.monitoring.rules import defaults
from steward.monitoring.rules.cycle import CycleResult, run_cycle
from steward.monitoring.rules.model import Rule
from steward.monitoring.rules.table import StateTable

RUNS = 5
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
BREACHING = 0.02
CHANGING = 0.005


@dataclass
class Workload:
    rule: Rule
    times: np.ndarray
    values: np.ndarray
    table: StateTable | None = None


def grid(rows: int, points: int, step: float, rng: np.random.Generator) -> np.ndarray:
    """Sample times ending at NOW, with a per-series phase so series do not align."""
    end = NOW.timestamp() - rng.integers(0, int(step), size=rows)
    return end[:, None] - step * np.arange(points - 1, -1, -1)[None, :]


def levels(rows: int, points: int, low: float, high: float, rng: np.random.Generator) -> np.ndarray:
    """Noisy levels; BREACHING of the rows sit above ``high`` for the newest points."""
    base = rng.uniform(low, high - 15, size=rows)[:, None] + rng.normal(0, 2, size=(rows, points))
    hot = rng.random(rows) < BREACHING
    base[hot, -15:] = high + rng.uniform(1, 8, size=(int(hot.sum()), 15))
    # The newest point changes something for some: a fresh breach, or a recovery.
    base[rng.random(rows) < CHANGING, -1] = high + 5
    base[hot & (rng.random(rows) < 0.25), -1] = low
    return base


def workloads(rng: np.random.Generator) -> list[Workload]:
    cpu, memory, disk = defaults.CPU, defaults.MEMORY, defaults.DISK
    disk_values = levels(30_000, 288, 40, 90, rng)
    growing = rng.random(30_000) < BREACHING
    disk_values[growing] = 85 + np.linspace(0, 2, 288)[None, :]  # +2 % a day from 85 %
    # Check states stick: most checks stay ok, some had a warning spell, a few are critical now.
    check_states = np.zeros((15_000, 60))
    check_states[rng.random(15_000) < 0.01, 20:30] = 1.0
    check_states[rng.random(15_000) < BREACHING, -15:] = 2.0
    heartbeat_times = grid(10_000, 10, 60, rng)
    silent = rng.random(10_000) < BREACHING
    heartbeat_times[silent] -= 900  # these agents went quiet 15 minutes ago
    tls_days = np.repeat(rng.integers(1, 90, size=(5_000, 1)).astype(float), 10, axis=1)
    return [
        Workload(cpu, grid(20_000, 60, 60, rng), levels(20_000, 60, 5, 90, rng)),
        Workload(memory, grid(20_000, 60, 60, rng), levels(20_000, 60, 30, 90, rng)),
        Workload(disk, grid(30_000, 288, 300, rng)[:, -60:], disk_values[:, -60:]),
        Workload(defaults.DISK_FORECAST, grid(30_000, 288, 300, rng), disk_values),
        Workload(defaults.CHECK_CRITICAL, grid(15_000, 60, 60, rng), check_states),
        Workload(defaults.AGENT_SILENT, heartbeat_times, np.ones((10_000, 10))),
        Workload(defaults.TLS_EXPIRY, grid(5_000, 10, 3600, rng), tls_days),
    ]


def cycle(loads: list[Workload], now: datetime, warm: bool) -> tuple[float, list[CycleResult]]:
    began = time.perf_counter()
    results = []
    for load in loads:
        table = (
            load.table
            if warm and load.table is not None
            else StateTable.empty(load.rule.id, [f"s{i}" for i in range(len(load.times))])
        )
        results.append(run_cycle(load.rule, table, load.times, load.values, now))
    return time.perf_counter() - began, results


def stress(rng: np.random.Generator) -> tuple[float, float]:
    """All 100,000 series under one rule: the threshold warm cycle, and the forecast (x 288)."""
    rows = 100_000
    times, values = grid(rows, 60, 60, rng), levels(rows, 60, 5, 90, rng)
    identities = [f"s{i}" for i in range(rows)]
    warm = run_cycle(
        defaults.CPU,
        StateTable.empty("cpu-high", identities),
        times,
        values,
        NOW - timedelta(seconds=60),
    ).table
    began = time.perf_counter()
    run_cycle(defaults.CPU, warm, times, values, NOW)
    threshold = time.perf_counter() - began
    del times, values
    times, values = grid(rows, 288, 300, rng), levels(rows, 288, 40, 90, rng)
    table = StateTable.empty("disk-forecast", identities)
    began = time.perf_counter()
    run_cycle(defaults.DISK_FORECAST, table, times, values, NOW)
    return threshold, time.perf_counter() - began


def main() -> None:
    rng = np.random.default_rng(20261129)
    loads = workloads(rng)
    series = sum(len(w.times) for w in loads if w.rule is not defaults.DISK_FORECAST)
    earlier = NOW - timedelta(seconds=60)
    cold, warmed = cycle(loads, earlier, warm=False)
    for load, result in zip(loads, warmed, strict=True):
        load.table = result.table
    runs = []
    results: list[CycleResult] = []
    for _ in range(RUNS):
        took, results = cycle(loads, NOW, warm=True)
        runs.append(took)
    firing = sum(int((r.table.phase == 2).sum()) for r in results)
    transitions = sum(len(r.transitions) for r in results)
    per_rule = []
    for load in loads:
        began = time.perf_counter()
        run_cycle(load.rule, load.table or StateTable.empty("x", []), load.times, load.values, NOW)
        per_rule.append((load.rule.id, load.times.shape, time.perf_counter() - began))

    threshold_100k, forecast_100k = stress(rng)

    print(f"{'measure':<44} {'value':>12}")
    print(f"{'active series':<44} {series:>12,}")
    for rule_id, shape, took in per_rule:
        label = f"  {rule_id} ({shape[0]:,} x {shape[1]})"
        print(f"{label:<44} {took * 1000:>9.1f} ms")
    print(f"{'firing after the cycle':<44} {firing:>12,}")
    print(f"{'transitions in the timed cycle':<44} {transitions:>12,}")
    print(f"{'cold cycle (no state, every point new)':<44} {cold:>10.3f} s")
    print(f"{'cycle, median of ' + str(RUNS):<44} {statistics.median(runs):>10.3f} s")
    print(f"{'stress: cpu-high alone, 100,000 x 60':<44} {threshold_100k * 1000:>9.1f} ms")
    print(f"{'stress: disk-forecast alone, 100,000 x 288':<44} {forecast_100k * 1000:>9.1f} ms")
    print(f"alerts_threshold_100k: {threshold_100k:.3f} s (target < 1 s)")
    print(f"alerts_forecast_100k: {forecast_100k:.3f} s (target < 1 s)")
    print(f"alerts_cycle_cold_100k: {cold:.3f} s (target: report)")
    print(f"alerts_cycle_100k_median: {statistics.median(runs):.3f} s (target < 1 s)")
    print(f"alerts_cycle_100k: {runs[-1]:.3f} s (target < 1 s)")


if __name__ == "__main__":
    main()
