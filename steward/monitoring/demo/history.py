"""Believable metric and check histories, computed in arrays (no database here).

Metrics: an hourly rollup per series over the history, and raw samples every
``SAMPLE_STEP`` seconds for the last ``RAW_DAYS`` days, whose hours are rolled up from the
samples themselves (as ``retention.recompute_rollups`` would). Loads follow the office day in
the client's zone; disks follow a piecewise-linear level (``knots``), so a disk can fill up
and be cleaned up on a chosen day.

Checks: one result per check interval, ok except a few outages (critical runs) and rare
unknown results (the collector could not tell).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

HOUR = 3600
DAY = 86_400
SAMPLE_STEP = 300
RAW_DAYS = 2
# Loose on purpose: numpy's precise dtypes change with every operation and say little here.
Floats = npt.NDArray[Any]
Ints = npt.NDArray[Any]


@dataclass(frozen=True)
class Load:
    """A percentage metric: ``base`` plus an office-hours bump of ``daily`` (peaking at 11:00
    local time on weekdays) and Gaussian ``noise``; or, when ``knots`` are given, the
    piecewise-linear level through them (unix seconds, value) plus the noise."""

    base: float
    daily: float = 0.0
    noise: float = 1.0
    utc_offset_s: int = 0
    knots: tuple[tuple[float, float], ...] = ()

    def level(self, t: Floats) -> Floats:
        if self.knots:
            xs, ys = zip(*self.knots, strict=True)
            return np.interp(t, np.array(xs, dtype=float), np.array(ys, dtype=float))
        local = t + self.utc_offset_s
        hour = (local % DAY) / HOUR
        weekday = ((local // DAY) + 3) % 7  # 1970-01-01 was a Thursday: 0 is Monday
        office = np.clip(np.cos((hour - 11) * math.pi / 10), 0, None) * (weekday < 5)
        return self.base + self.daily * office


@dataclass
class Rollups:
    """Columns of hourly rollups of one series."""

    hour: Ints
    min: Floats
    max: Floats
    sum: Floats
    count: Ints

    def rows(self, series_id: int) -> list[tuple[int, int, float, float, float, int]]:
        size = len(self.hour)
        return list(
            zip(
                [series_id] * size,
                self.hour.tolist(),
                self.min.tolist(),
                self.max.tolist(),
                self.sum.tolist(),
                self.count.tolist(),
                strict=True,
            )
        )


@dataclass
class MetricHistory:
    rollups: Rollups
    sample_ts_ms: Ints
    sample_values: Floats

    def sample_rows(self, series_id: int) -> list[tuple[int, int, float]]:
        ts, values = self.sample_ts_ms.tolist(), self.sample_values.tolist()
        return list(zip([series_id] * len(ts), ts, values, strict=True))


def raw_start(now_s: int) -> int:
    """Where raw samples begin: ``RAW_DAYS`` days before the start of the current hour."""
    return now_s - now_s % HOUR - RAW_DAYS * DAY


def metric_history(load: Load, start_s: int, now_s: int, rng: np.random.Generator) -> MetricHistory:
    """Rollups from ``start_s`` (an hour boundary) to the raw span, then samples to now."""
    raw_from = raw_start(now_s)
    hours = np.arange(start_s, raw_from, HOUR, dtype=np.int64)
    per_hour = HOUR // SAMPLE_STEP
    mean = _clip(load.level(hours + HOUR / 2) + rng.normal(0, load.noise / 3, len(hours)))
    spread = np.abs(rng.normal(0, load.noise, (2, len(hours))))
    old = Rollups(
        hour=hours,
        min=_clip(mean - spread[0]),
        max=_clip(mean + spread[1]),
        sum=mean * per_hour,
        count=np.full(len(hours), per_hour, dtype=np.int64),
    )
    ts = np.arange(raw_from, now_s, SAMPLE_STEP, dtype=np.int64)
    values = np.round(_clip(load.level(ts) + rng.normal(0, load.noise, len(ts))), 2)
    recent = _roll_up(ts, values)
    joined = Rollups(
        *(np.concatenate(pair) for pair in zip(_cols(old), _cols(recent), strict=True))
    )
    return MetricHistory(joined, ts * 1000, values)


def _cols(r: Rollups) -> tuple[Ints, Floats, Floats, Floats, Ints]:
    return r.hour, r.min, r.max, r.sum, r.count


def _roll_up(ts: Ints, values: Floats) -> Rollups:
    """Min, max, sum and count per hour of samples sorted by time."""
    if not len(ts):
        empty = np.array([], dtype=np.float64)
        return Rollups(np.array([], dtype=np.int64), empty, empty, empty, np.array([], np.int64))
    hours = ts - ts % HOUR
    starts = np.flatnonzero(np.r_[True, hours[1:] != hours[:-1]])
    return Rollups(
        hour=hours[starts],
        min=np.minimum.reduceat(values, starts),
        max=np.maximum.reduceat(values, starts),
        sum=np.add.reduceat(values, starts),
        count=np.diff(np.r_[starts, len(ts)]).astype(np.int64),
    )


def _clip(values: Floats) -> Floats:
    return np.clip(values, 0.0, 100.0)


# --- Checks ---------------------------------------------------------------------------------


@dataclass
class CheckHistory:
    """One check's results: unix seconds, states, response times; and the outages drawn
    (first and last result index, inclusive), for tests and the story."""

    at_s: Ints
    states: list[str]
    duration_ms: Floats
    outages: list[tuple[int, int]] = field(default_factory=list)


def check_history(
    start_s: int,
    now_s: int,
    interval_s: int,
    rng: np.random.Generator,
    outages: int,
    outage_results: Sequence[int] = (1, 4),
    unknown_share: float = 0.001,
) -> CheckHistory:
    """A result every ``interval_s`` (a few seconds late, as a collector is) from ``start_s``
    to now: ``outages`` runs of critical results of ``outage_results`` length, a few unknown
    results, ok otherwise."""
    at = np.arange(start_s, now_s - 60, interval_s, dtype=np.int64) + rng.integers(0, 20)
    count = len(at)
    states = np.full(count, "ok", dtype=object)
    states[rng.random(count) < unknown_share] = "unknown"
    drawn: list[tuple[int, int]] = []
    for _ in range(outages if count > 10 else 0):
        length = int(rng.integers(outage_results[0], outage_results[1] + 1))
        first = int(rng.integers(1, max(2, count - length - 1)))
        last = min(count - 2, first + length - 1)
        states[first : last + 1] = "critical"
        drawn.append((first, last))
    durations = np.round(rng.lognormal(math.log(120), 0.4, count), 1)
    return CheckHistory(at, states.tolist(), durations, sorted(drawn))
