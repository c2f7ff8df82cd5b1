"""The opening hours of one week as SVG geometry (the page's CSP forbids inline styles, so
bars are SVG rects with x/width attributes rather than styled divs)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from steward.core.calendarspec import DAY, CalendarSpec, effective_day

WIDTH = 720  # one pixel per two minutes
ROW = 28


@dataclass(frozen=True)
class Bar:
    x: float
    width: float
    label: str


@dataclass(frozen=True)
class WeekRow:
    day: date
    y: int
    bars: tuple[Bar, ...]
    closed_reason: str


def _hhmm(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    return f"{hours:02d}:{rest // 60:02d}"


def week_rows(spec: CalendarSpec, monday: date) -> list[WeekRow]:
    """Seven rows from ``monday``: each day's opening intervals as bars on a 24-hour line.
    An overnight interval is drawn to midnight on its own day (it belongs to that day)."""
    extra = spec.extra_day_map()
    rows = []
    for offset in range(7):
        day = monday + timedelta(days=offset)
        intervals = effective_day(spec, day, extra)
        bars = tuple(
            Bar(
                x=WIDTH * iv.start / DAY,
                width=WIDTH * (min(iv.span[1], DAY) - iv.start) / DAY,
                label=f"{_hhmm(iv.start)}-{_hhmm(iv.end)}",
            )
            for iv in intervals
        )
        reason = ""
        if not intervals:
            if day in spec.closures:
                reason = "closure"
            elif spec.weekly[day.weekday()] and day not in extra:
                reason = "public holiday"
            else:
                reason = "closed"
        rows.append(WeekRow(day, offset * ROW, bars, reason))
    return rows


HOUR_TICKS = [(h, WIDTH * h / 24) for h in range(0, 25, 3)]
