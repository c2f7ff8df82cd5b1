"""Hypothesis strategies for random business calendars, and a brute-force oracle.

The oracle is deliberately naive and independent of the engine: it walks real UTC time, asks
``zoneinfo`` what the wall clock reads, and applies the calendar rules to that reading.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import holidays
from hypothesis import strategies as st

from steward.core.calendarspec import WEEKDAYS, CalendarSpec, Interval

MINUTES = 1440
WEEK = 7 * MINUTES
ZONES = [
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",
    "America/Sao_Paulo",
    "UTC",
    "Asia/Kolkata",
]
HOLIDAYS = [None, ("DE", "BE"), ("US", "NY"), ("AU", "NSW"), ("BR", None)]
# Minutes of the day where DST transitions and interval edges meet, drawn more often than chance.
INTERESTING = [0, 30, 60, 90, 120, 150, 180, 210, 240, 360, 540, 1020, 1320, 1380, 1410, 1439]
FIRST_DAY, LAST_DAY = date(2025, 1, 1), date(2029, 12, 31)


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@st.composite
def weekly_hours(draw: st.DrawFn) -> dict[str, list[list[str]]]:
    """Non-overlapping weekly intervals, overnight ones (and Sunday into Monday) included."""
    rotation = draw(st.integers(0, MINUTES - 1))
    minute_of_day = st.one_of(st.sampled_from(INTERESTING), st.integers(0, MINUTES - 1))
    points = draw(
        st.sets(
            st.builds(lambda d, m: d * MINUTES + m, st.integers(0, 6), minute_of_day), max_size=12
        )
    )
    # Rotating the week lets the last interval run from Sunday into Monday.
    shifted = sorted(p + rotation for p in points)
    hours: dict[str, list[list[str]]] = {}
    for a, b in zip(shifted[0::2], shifted[1::2], strict=False):
        day, start = (a // MINUTES) % 7, a % MINUTES
        length = b - a
        if start + length > MINUTES:
            length = min(length, MINUTES - 1)  # an overnight interval ends before it starts
        end = start + length
        end_text = "24:00" if end == MINUTES else hhmm(end % MINUTES)
        hours.setdefault(WEEKDAYS[day], []).append([hhmm(start), end_text])
    return hours


def overnight_tail(hours: dict[str, list[list[str]]] | str) -> int:
    """The latest minute any weekly overnight interval runs to on its next day."""
    if isinstance(hours, str):
        return 0
    tails = [_minutes(end) for day in hours.values() for start, end in day if end < start]
    return max(tails, default=0)


def _minutes(text: str) -> int:
    return int(text[:2]) * 60 + int(text[3:5])


dates = st.dates(min_value=FIRST_DAY, max_value=LAST_DAY)


@st.composite
def calendar_json(draw: st.DrawFn) -> dict[str, Any]:
    """A valid calendar in its JSON form."""
    hours: dict[str, list[list[str]]] | str = (
        "24x7" if draw(st.integers(0, 9)) == 0 else draw(weekly_hours())
    )
    out: dict[str, Any] = {
        "name": "random",
        "timezone": draw(st.sampled_from(ZONES)),
        "hours": hours,
    }
    hol = draw(st.sampled_from(HOLIDAYS))
    if hol is not None:
        out["holidays"] = {"country": hol[0]} | ({"subdivision": hol[1]} if hol[1] else {})
    extra: dict[str, list[list[str]]] = {}
    tail = overnight_tail(hours)
    for day in draw(st.lists(dates, max_size=4, unique=True)):
        points = sorted(draw(st.sets(st.integers(tail, MINUTES), min_size=2, max_size=4)))
        pairs = list(zip(points[0::2], points[1::2], strict=False))
        extra[day.isoformat()] = [[hhmm(a), "24:00" if b == MINUTES else hhmm(b)] for a, b in pairs]
    closures = draw(st.lists(dates, max_size=6, unique=True))
    out["closures"] = [d.isoformat() for d in closures if d.isoformat() not in extra]
    out["extra_days"] = extra
    return out


def instants(first: date = FIRST_DAY, last: date = LAST_DAY) -> st.SearchStrategy[int]:
    """Epoch seconds across several years, often close to a year end or a DST weekend."""
    lo = int(datetime(first.year, first.month, first.day, tzinfo=UTC).timestamp())
    hi = int(datetime(last.year, last.month, last.day, tzinfo=UTC).timestamp())
    anchors = [
        int(datetime(y, m, d, tzinfo=UTC).timestamp())
        for y in range(first.year, last.year + 1)
        for m, d in ((1, 1), (3, 29), (3, 9), (4, 6), (10, 5), (10, 26), (11, 2), (12, 31))
    ]
    # America/Sao_Paulo observed DST until 2019 (its clocks changed at local midnight).
    anchors += [
        int(datetime(y, m, d, tzinfo=UTC).timestamp())
        for y, m, d in ((2017, 10, 15), (2018, 2, 18), (2018, 11, 4), (2019, 2, 17))
    ]
    near = st.builds(
        lambda a, o: a + o, st.sampled_from(anchors), st.integers(-3 * 86400, 3 * 86400)
    )
    return st.one_of(st.integers(lo, hi), near)


class Oracle:
    """Business time by walking UTC time, for calendars whose edges are whole minutes in zones
    whose offsets are whole minutes (so openness is constant inside each UTC minute)."""

    def __init__(self, spec: CalendarSpec) -> None:
        self.spec = spec
        self.zone = ZoneInfo(spec.timezone)
        self.extra = dict(spec.extra_days)
        self._holidays: dict[int, set[date]] = {}

    def day(self, day: date) -> tuple[Interval, ...]:
        if day in self.extra:
            return self.extra[day]
        if day in self.spec.closures:
            return ()
        if self.spec.holiday_country and day in self._holiday_set(day.year):
            return ()
        return self.spec.weekly[day.weekday()]

    def _holiday_set(self, year: int) -> set[date]:
        if year not in self._holidays:
            found = holidays.country_holidays(
                self.spec.holiday_country, subdiv=self.spec.holiday_subdivision, years=year
            )
            self._holidays[year] = set(found)
        return self._holidays[year]

    def is_open(self, instant: int) -> bool:
        wall = datetime.fromtimestamp(instant, self.zone)
        today = wall.date()
        t = wall.hour * 3600 + wall.minute * 60 + wall.second
        for iv in self.day(today):
            if (iv.overnight and t >= iv.start) or (iv.start <= t < iv.end):
                return True
        return any(iv.overnight and t < iv.end for iv in self.day(today - timedelta(days=1)))

    def between(self, start: int, end: int, step: int = 60) -> int:
        total, u = 0, start
        while u < end:
            nxt = min(end, (u // step + 1) * step)
            if self.is_open(u):
                total += nxt - u
            u = nxt
        return total

    def add(self, start: int, seconds: int, limit: int = 20_000) -> int | None:
        """Walk forward; None when more than ``limit`` minutes would be needed."""
        u, remaining = start, seconds
        if remaining == 0:
            return start
        for _ in range(limit):
            nxt = (u // 60 + 1) * 60
            if self.is_open(u):
                if nxt - u >= remaining:
                    return u + remaining
                remaining -= nxt - u
            u = nxt
        return None
