"""Least-squares trend lines over many windows at once, and the forecast decision.

One implementation serves both the single-series ``evaluate`` (a one-row array) and the batch
``cycle``, so the two cannot disagree on the arithmetic. Times are taken relative to the middle
of the window before summing: unix seconds squared lose precision, offsets of half a day do not.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .model import Comparison, Signal

FloatArray = npt.NDArray[np.float64]
# A slope at least 3 standard errors from zero: by chance about 3 times in 1,000 fits.
MIN_T_STAT = 3.0
BLOCK_ROWS = 2048
ROUNDING = 1e-9
# Beyond a century a line says "never" (and a datetime that far would overflow).
MAX_CROSSING = 100 * 365 * 86_400.0


@dataclass(frozen=True)
class Lines:
    """Per row: points used, their span, the fitted value at ``now``, the slope per second and
    its t statistic (slope over its standard error: how far the trend stands out of the noise)."""

    count: npt.NDArray[np.int64]
    span: FloatArray
    value_now: FloatArray
    slope: FloatArray
    t_stat: FloatArray


def fit_lines(times: FloatArray, values: FloatArray, now: float, window: float) -> Lines:
    """Fit ``value = value_now + slope * (t - now)`` per row over points in ``[now - window, now]``.

    ``times``/``values`` are ``(rows, columns)``; NaN marks a missing point. Rows with fewer
    than two distinct times get a NaN slope. Rows go in blocks that stay in the CPU cache.
    """
    parts = [
        _fit_block(times[i : i + BLOCK_ROWS], values[i : i + BLOCK_ROWS], now, window)
        for i in range(0, max(len(times), 1), BLOCK_ROWS)
    ]
    return Lines(*(np.concatenate(column) for column in zip(*parts, strict=True)))


def _fit_block(
    times: FloatArray, values: FloatArray, now: float, window: float
) -> tuple[npt.NDArray[np.int64], FloatArray, FloatArray, FloatArray, FloatArray]:
    """The fit from plain sums (count, x, y, xx, xy, yy) with x centred on the window's middle:
    for whole-second times and whole values the sums are exact, so a row gives the same line
    whatever padding surrounds it (the batch and single-series paths agree exactly)."""
    half = window / 2
    offsets = times - now
    # NaN times compare False, so they drop out here.
    used = (offsets >= -window) & (offsets <= 0) & ~np.isnan(values)
    placed = np.where(used, offsets, np.nan)
    earliest = np.fmin.reduce(placed, axis=1, initial=np.nan)
    latest = np.fmax.reduce(placed, axis=1, initial=np.nan)
    x = np.where(used, offsets + half, 0.0)
    y = np.where(used, values, 0.0)
    count = np.count_nonzero(used, axis=1).astype(np.float64)
    sum_x, sum_y = x.sum(axis=1), y.sum(axis=1)
    sum_xx = np.einsum("ij,ij->i", x, x)
    sum_xy = np.einsum("ij,ij->i", x, y)
    sum_yy = np.einsum("ij,ij->i", y, y)
    with np.errstate(invalid="ignore", divide="ignore"):
        sxx = sum_xx - sum_x * sum_x / count
        sxy = sum_xy - sum_x * sum_y / count
        syy = sum_yy - sum_y * sum_y / count
        slope = np.where(sxx > 0, sxy / sxx, np.nan)
        value_now = sum_y / count + slope * (half - sum_x / count)
        # t statistic of the slope; infinite when the points lie exactly on the line.
        spread = np.maximum(syy - slope * sxy, 0.0) / np.maximum(count - 2, 1)
        t_stat = np.nan_to_num(np.abs(slope) * np.sqrt(sxx) / np.sqrt(spread), nan=0.0)
    span = np.where(count > 0, latest - earliest, 0.0)
    return count.astype(np.int64), span, value_now, slope, t_stat


def forecast_signals(
    lines: Lines,
    comparison: Comparison,
    limit: float,
    horizon: float,
    min_points: int,
    min_span: float,
) -> npt.NDArray[np.int8]:
    """BREACH where the line is beyond ``limit`` at some instant of ``[now, now + horizon]``,
    CLEAR where it is not, -1 (no decision) where the fit has too few points or too short a span.

    A line is monotonic, so checking both ends of the horizon is exact. A crossing ahead counts
    only when the trend is significant (``MIN_T_STAT``): noise around a level near the limit
    makes steep lines over short spans, and those must not fire.
    """
    at_horizon = lines.value_now + lines.slope * horizon
    # A line that reaches the limit exactly at the horizon must fire despite rounding (a fit of
    # exact data is off by ~1e-12): the limit gives way by a billionth.
    give = ROUNDING * max(1.0, abs(limit))
    reach = limit - give if comparison.upward else limit + give
    trend = holds(comparison, at_horizon, reach) & (lines.t_stat >= MIN_T_STAT)
    beyond = holds(comparison, lines.value_now, limit) | trend
    decided = (
        (lines.count >= max(min_points, 2)) & (lines.span >= min_span) & ~np.isnan(lines.slope)
    )
    signal = np.where(beyond, np.int8(Signal.BREACH), np.int8(Signal.CLEAR)).astype(np.int8)
    return np.where(decided, signal, np.int8(-1)).astype(np.int8)


def crossing_offsets(lines: Lines, comparison: Comparison, limit: float) -> FloatArray:
    """Seconds from now until each line reaches ``limit``: 0 if already beyond, NaN if it
    never does (moving away, flat, or more than a century ahead)."""
    beyond = holds(comparison, lines.value_now, limit)
    toward = lines.slope > 0 if comparison.upward else lines.slope < 0
    with np.errstate(divide="ignore", invalid="ignore"):
        ahead = np.where(toward, (limit - lines.value_now) / lines.slope, np.nan)
    offset = np.where(beyond, 0.0, ahead)
    return np.where(offset > MAX_CROSSING, np.nan, offset)


def holds(comparison: Comparison, values: FloatArray, limit: float) -> npt.NDArray[np.bool_]:
    if comparison is Comparison.GT:
        return values > limit
    if comparison is Comparison.GE:
        return values >= limit
    if comparison is Comparison.LT:
        return values < limit
    return values <= limit
