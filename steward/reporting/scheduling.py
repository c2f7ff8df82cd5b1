"""When reports are due: the Nth business day of a month at HH:MM in a time zone.

Pure functions of a business calendar (``steward.core.calendarspec``), a zone and ``now``;
nothing here reads the clock or the database. A business day is a local date on which the
calendar has opening hours: weekends, public holidays and closures are skipped.

Wall times that DST skips or repeats: a send time inside the spring-forward gap (02:30 on the
night clocks jump from 02:00 to 03:00) runs at the end of the gap (03:00 local); a time repeated
by the fall-back runs at its first occurrence. Both keep "the Nth business day at HH:MM" on the
right day, once.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from steward.core.calendarspec import CalendarSpec, effective_day, parse_calendar
from steward.obligations.periods import Period

WEEKDAYS_ONLY: dict[str, object] = {
    "name": "Weekdays",
    "timezone": "UTC",
    "hours": {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
}


def weekdays(zone: str) -> CalendarSpec:
    """Monday to Friday, no holidays: the calendar when a client has none of its own."""
    return parse_calendar({**WEEKDAYS_ONLY, "timezone": zone})


def is_business_day(spec: CalendarSpec, day: date) -> bool:
    return bool(effective_day(spec, day, spec.extra_day_map()))


def nth_business_day(spec: CalendarSpec, year: int, month: int, n: int) -> date:
    """The ``n``-th (1-based) business day of the month; ValueError when the month has fewer."""
    if n < 1:
        raise ValueError(f"business_day: must be 1 or more, not {n}")
    day, found = date(year, month, 1), 0
    while day.month == month:
        if is_business_day(spec, day):
            found += 1
            if found == n:
                return day
        day += timedelta(days=1)
    raise ValueError(f"business_day: {year}-{month:02d} has only {found} business days, not {n}")


def local_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """``day`` at wall time ``at`` in ``zone`` as a UTC instant (gap: end of the gap; repeated
    time: first occurrence)."""
    wall = datetime.combine(day, at.replace(tzinfo=None, fold=0), tzinfo=zone)
    instant = wall.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != wall.replace(tzinfo=None):
        # Skipped by a spring-forward: fold=1 reads the wall time with the offset after the
        # change, which lands before the gap's end; the gap ends at the next whole transition.
        later = datetime.combine(day, at.replace(tzinfo=None, fold=1), tzinfo=zone)
        instant = _gap_end(later.astimezone(UTC), wall.astimezone(UTC), zone)
    return instant


def _gap_end(lo: datetime, hi: datetime, zone: ZoneInfo) -> datetime:
    """The first instant in [lo, hi] whose offset is the post-transition one (the gap's end),
    found by bisection to the minute (DST transitions fall on whole minutes)."""
    lo, hi = min(lo, hi), max(lo, hi)
    after = hi.astimezone(zone).utcoffset()
    while hi - lo > timedelta(minutes=1):
        mid = lo + (hi - lo) / 2
        mid = mid.replace(second=0, microsecond=0)
        if mid.astimezone(zone).utcoffset() == after:
            hi = mid
        else:
            lo = mid
    return hi


def run_instant(spec: CalendarSpec, month: Period, n: int, at: time, zone: ZoneInfo) -> datetime:
    """The send instant (UTC) in ``month``: its n-th business day at ``at`` in ``zone``. A month
    with fewer business days sends on its last business day."""
    try:
        day = nth_business_day(spec, month.year, month.index, n)
    except ValueError:
        day = last_business_day(spec, month)
    return local_instant(day, at, zone)


def last_business_day(spec: CalendarSpec, month: Period) -> date:
    day = month.end - timedelta(days=1)
    while day >= month.start:
        if is_business_day(spec, day):
            return day
        day -= timedelta(days=1)
    return month.start  # a month closed throughout: its first day


def next_run(spec: CalendarSpec, n: int, at: time, zone: ZoneInfo, now: datetime) -> datetime:
    """The first send instant strictly after ``now``: this month's, or next month's."""
    month = Period.at(now, zone)
    for step in range(3):
        instant = run_instant(spec, month.shift(step), n, at, zone)
        if instant > now:
            return instant
    raise AssertionError("unreachable: a later month always has a later send instant")


def reported_month(run_at: datetime, zone: ZoneInfo) -> Period:
    """The month a run at ``run_at`` reports on: the month before the run's local month."""
    return Period.at(run_at, zone).previous()


def deadline(spec: CalendarSpec, period: Period, business_days: int, zone: ZoneInfo) -> datetime:
    """When the report on ``period`` is due: the end (next local midnight) of the
    ``business_days``-th business day of the following month."""
    month = period.next()
    try:
        day = nth_business_day(spec, month.year, month.index, business_days)
    except ValueError:
        day = last_business_day(spec, month)
    return local_instant(day + timedelta(days=1), time(0), zone)
