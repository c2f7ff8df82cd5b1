"""Time-series charts as plain SVG geometry, computed on the server (no JavaScript, no Django).

The templates draw the result with SVG attributes only (the CSP forbids inline styles):

1. the time axis is labelled in the client's time zone: ticks fall on local wall-clock hours or
   midnights, so a DST day has its midnights 23 or 25 hours apart and no tick at an hour that
   does not exist;
2. a missing stretch of data breaks the line (and its shaded area) instead of bridging it: two
   points further apart than ``max_gap`` seconds are not joined;
3. a forecast draws a dashed line from its value now along its trend up to the limit (or to the
   chart's right edge when the crossing lies beyond it), with the limit as a dotted line.

Times are Unix seconds (floats); a NaN value is a gap.
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo

WIDTH, HEIGHT = 640, 180
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 10, 24
MAX_X_TICKS = 8
Y_TICKS = 4
# Local tick steps to choose from, in hours (days are whole local days, whatever their length).
HOUR_STEPS = (1, 2, 3, 6, 12)
DAY_STEPS = (1, 2, 7, 14)
GAP_FACTOR = 3.0

Point = tuple[float, float]


@dataclass(frozen=True)
class Tick:
    pos: float
    label: str


@dataclass(frozen=True)
class Trend:
    """A fitted line: ``value(t) = value_now + slope * (t - now)``; ``crossing`` is when it
    reaches the limit (None: never, or moving away)."""

    now: float
    value_now: float
    slope: float
    crossing: float | None = None


@dataclass(frozen=True)
class ForecastLine:
    x1: float
    y1: float
    x2: float
    y2: float
    reaches_limit: bool


@dataclass
class Chart:
    """Everything the template draws; positions are in the SVG's user units."""

    width: int
    height: int
    left: float
    top: float
    right: float
    bottom: float
    lines: list[str] = field(default_factory=list)  # one path "d" per unbroken run
    areas: list[str] = field(default_factory=list)  # the same runs, closed to the baseline
    x_ticks: list[Tick] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)
    limit_y: float | None = None
    forecast: ForecastLine | None = None
    points: int = 0

    @property
    def empty(self) -> bool:
        return self.points == 0

    @property
    def middle_x(self) -> float:
        return (self.left + self.right) / 2


@dataclass(frozen=True)
class Scale:
    """Maps time and value to SVG positions inside the plot area."""

    start: float
    end: float
    low: float
    high: float
    left: float
    right: float
    top: float
    bottom: float

    def x(self, t: float) -> float:
        return round(self.left + (t - self.start) / (self.end - self.start) * self.span_x, 1)

    def y(self, v: float) -> float:
        share = (v - self.low) / (self.high - self.low)
        return round(self.bottom - share * (self.bottom - self.top), 1)

    @property
    def span_x(self) -> float:
        return self.right - self.left


def runs(points: Sequence[Point], max_gap: float | None = None) -> list[list[Point]]:
    """``points`` (ascending by time) split where data is missing: a NaN value, or two points
    more than ``max_gap`` seconds apart (default: three times the median spacing)."""
    clean = [(t, v) for t, v in points if not (math.isnan(v) or math.isinf(v))]
    if max_gap is None:
        steps = [b[0] - a[0] for a, b in itertools.pairwise(clean)]
        max_gap = GAP_FACTOR * statistics.median(steps) if steps else math.inf
    found: list[list[Point]] = []
    current: list[Point] = []
    previous_t: float | None = None
    for t, v in points:
        missing = math.isnan(v) or math.isinf(v)
        if current and (missing or (previous_t is not None and t - previous_t > max_gap)):
            found.append(current)
            current = []
        if not missing:
            current.append((t, v))
            previous_t = t
    if current:
        found.append(current)
    return found


def nice_step(span: float, count: int = Y_TICKS) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving about ``count`` ticks."""
    if span <= 0 or math.isnan(span):
        return 1.0
    raw = span / count
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


def value_range(
    values: Sequence[float], low: float | None, high: float | None
) -> tuple[float, float]:
    """The value axis: the fixed ends given, else the data's extent widened to round numbers."""
    lo = min(values) if low is None and values else (low if low is not None else 0.0)
    hi = max(values) if high is None and values else (high if high is not None else 1.0)
    if hi <= lo:
        lo, hi = lo - 1, hi + 1
    step = nice_step(hi - lo)
    if low is None:
        lo = math.floor(lo / step) * step
    if high is None:
        hi = math.ceil(hi / step) * step
    return lo, hi


def _local_floor(moment: datetime, hours: int | None) -> datetime:
    """The wall-clock instant (naive, local) at or before ``moment`` where ticks start."""
    if hours is None:
        return moment.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
    return moment.replace(
        hour=moment.hour - moment.hour % hours, minute=0, second=0, microsecond=0, tzinfo=None
    )


def _exists(wall: datetime, tz: tzinfo) -> bool:
    aware = wall.replace(tzinfo=tz)
    return aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == wall


def time_ticks(start: float, end: float, tz: tzinfo) -> list[tuple[float, str]]:
    """(Unix seconds, label) of the ticks between ``start`` and ``end`` on local wall-clock
    hours (label ``HH:MM``, a midnight names its day) or local midnights (``29 Nov``)."""
    span_h = (end - start) / 3600
    hours = next((h for h in HOUR_STEPS if span_h / h <= MAX_X_TICKS), None)
    days = (
        1
        if hours is not None
        else next((d for d in DAY_STEPS if span_h / 24 / d <= MAX_X_TICKS), DAY_STEPS[-1])
    )
    first = datetime.fromtimestamp(start, tz)
    wall = _local_floor(first, hours)
    step = timedelta(hours=hours) if hours is not None else timedelta(days=days)
    found: list[tuple[float, str]] = []
    # Walk wall-clock time: adding hours to a naive local time keeps ticks on local hours.
    while True:
        if _exists(wall, tz):
            at = wall.replace(tzinfo=tz).timestamp()
            if at > end:
                return found
            if at >= start:
                day = hours is None or (wall.hour == 0 and wall.minute == 0)
                found.append((at, f"{wall.day} {wall:%b}" if day else f"{wall:%H:%M}"))
        elif wall.replace(tzinfo=tz).timestamp() > end:
            return found
        wall += step


def _fmt(value: float) -> str:
    return f"{value:g}"


def _path(points: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{'M' if i == 0 else 'L'}{x:g},{y:g}" for i, (x, y) in enumerate(points))


def time_chart(
    points: Sequence[Point],
    start: float,
    end: float,
    tz: tzinfo,
    *,
    max_gap: float | None = None,
    low: float | None = None,
    high: float | None = None,
    limit: float | None = None,
    trend: Trend | None = None,
    width: int = WIDTH,
    height: int = HEIGHT,
) -> Chart:
    """The geometry of a line chart of ``points`` over ``[start, end]`` (Unix seconds).

    ``low``/``high`` fix the value axis (0-100 for percentages); ``limit`` draws a line at
    that value; ``trend`` draws the forecast from its ``now`` to the limit or the right edge.
    """
    if end <= start:
        raise ValueError("end: must be after start")
    inside = [(t, v) for t, v in points if start <= t <= end]
    pieces = runs(inside, max_gap)
    values = [v for run in pieces for _, v in run]
    if limit is not None:
        values.append(limit)
    forecast_end: tuple[float, float] | None = None
    if trend is not None and start <= trend.now <= end:
        reaches = trend.crossing is not None and trend.crossing <= end
        t_end = max(trend.crossing if reaches and trend.crossing else end, trend.now)
        forecast_end = (t_end, trend.value_now + trend.slope * (t_end - trend.now))
        values += [trend.value_now, forecast_end[1]]
    lo, hi = value_range(values, low, high)
    scale = Scale(start, end, lo, hi, LEFT, width - RIGHT, TOP, height - BOTTOM)
    chart = Chart(width, height, scale.left, scale.top, scale.right, scale.bottom)
    chart.points = sum(len(run) for run in pieces)
    for run in pieces:
        xy = [(scale.x(t), scale.y(min(max(v, lo), hi))) for t, v in run]
        chart.lines.append(_path(xy))
        base = scale.bottom
        closed = [(xy[0][0], base), *xy, (xy[-1][0], base)]
        chart.areas.append(_path(closed) + " Z")
    chart.x_ticks = [Tick(scale.x(t), label) for t, label in time_ticks(start, end, tz)]
    step = nice_step(hi - lo)
    first = math.ceil(lo / step - 1e-9) * step
    count = math.floor((hi - first) / step + 1e-9) + 1
    chart.y_ticks = [Tick(scale.y(first + i * step), _fmt(first + i * step)) for i in range(count)]
    if limit is not None and lo <= limit <= hi:
        chart.limit_y = scale.y(limit)
    if trend is not None and forecast_end is not None:
        reaches = trend.crossing is not None and trend.crossing <= end
        chart.forecast = ForecastLine(
            scale.x(trend.now),
            scale.y(min(max(trend.value_now, lo), hi)),
            scale.x(forecast_end[0]),
            scale.y(min(max(forecast_end[1], lo), hi)),
            reaches,
        )
    return chart


@dataclass(frozen=True)
class Band:
    """One stretch of a state strip: where it starts, how wide, and its state."""

    x: float
    width: float
    state: str
    title: str


def state_strip(
    changes: Sequence[tuple[float, str, str]], start: float, end: float, width: int = 240
) -> list[Band]:
    """Bands for a state history: ``changes`` = [(Unix seconds, state, title)] ascending; each
    state holds until the next change (the first may predate ``start``)."""
    if end <= start:
        raise ValueError("end: must be after start")
    bands: list[Band] = []
    for i, (at, state, title) in enumerate(changes):
        until = changes[i + 1][0] if i + 1 < len(changes) else end
        lo, hi = max(at, start), min(until, end)
        if hi <= lo:
            continue
        x = round((lo - start) / (end - start) * width, 1)
        w = round((hi - lo) / (end - start) * width, 1)
        bands.append(Band(x, max(w, 0.5), state, title))
    return bands
