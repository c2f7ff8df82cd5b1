"""Business calendars: the JSON form, parsed and validated into a frozen ``CalendarSpec``.

The JSON form (documented for users in docs/business-time.md)::

    {"name": "Berlin office", "timezone": "Europe/Berlin",
     "hours": {"mon": [["09:00", "12:30"], ["13:30", "17:30"]], "fri": [["22:00", "06:00"]]},
     "holidays": {"country": "DE", "subdivision": "BE"},
     "closures": ["2026-12-24"],
     "extra_days": {"2026-12-27": [["10:00", "14:00"]]}}

``hours`` may also be the string ``"24x7"``. An interval whose end is earlier than its start is
an overnight interval (it ends on the next day); an end equal to the start is an error. Every
rejection is a ``CalendarError`` naming the field by path (``hours.mon[1]``) and the reason.
This module imports nothing from Django: the business-time engine and importers share it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

DAY = 86_400
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
TOP_LEVEL_FIELDS = ("name", "timezone", "hours", "holidays", "closures", "extra_days")

# ASCII digits only (``\d`` would accept other scripts' digits); fullmatch so no trailing newline.
_TIME = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])(?::([0-5][0-9]))?|24:00(?::00)?", re.ASCII)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


class CalendarError(ValueError):
    """A calendar was rejected: ``field`` is the path of the bad part, ``reason`` says why."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@dataclass(frozen=True, order=True)
class Interval:
    """Opening hours of one day, in seconds after local midnight.

    ``end`` may be 86400 (``24:00``). ``end < start`` makes an overnight interval that runs
    until ``end`` on the next day and belongs to the day it starts on.
    """

    start: int
    end: int

    @property
    def overnight(self) -> bool:
        return self.end < self.start

    @property
    def span(self) -> tuple[int, int]:
        """Start and end in seconds after the local midnight of the day the interval belongs to."""
        return (self.start, self.end + DAY if self.overnight else self.end)


Day = tuple[Interval, ...]
Placed = tuple[int, int, str, Interval]
ALL_DAY: Day = (Interval(0, DAY),)


@dataclass(frozen=True)
class CalendarSpec:
    """A validated business calendar. Hashable, so compiled forms can be cached per spec."""

    timezone: str
    weekly: tuple[Day, Day, Day, Day, Day, Day, Day]
    name: str = ""
    holiday_country: str | None = None
    holiday_subdivision: str | None = None
    closures: frozenset[date] = frozenset()
    extra_days: tuple[tuple[date, Day], ...] = ()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def is_24x7(self) -> bool:
        return all(day == ALL_DAY for day in self.weekly)

    def extra_day_map(self) -> dict[date, Day]:
        return dict(self.extra_days)

    def to_json(self) -> dict[str, Any]:
        """The canonical JSON form; ``parse_calendar(spec.to_json()) == spec``."""
        out: dict[str, Any] = {"name": self.name, "timezone": self.timezone}
        if self.is_24x7:
            out["hours"] = "24x7"
        else:
            out["hours"] = {
                key: [_interval_json(i) for i in day]
                for key, day in zip(WEEKDAYS, self.weekly, strict=True)
                if day
            }
        if self.holiday_country is not None:
            hol: dict[str, str] = {"country": self.holiday_country}
            if self.holiday_subdivision is not None:
                hol["subdivision"] = self.holiday_subdivision
            out["holidays"] = hol
        if self.closures:
            out["closures"] = [d.isoformat() for d in sorted(self.closures)]
        if self.extra_days:
            out["extra_days"] = {
                d.isoformat(): [_interval_json(i) for i in day] for d, day in self.extra_days
            }
        return out


def parse_calendar(data: object) -> CalendarSpec:
    """Validate the JSON form of a calendar; raise ``CalendarError`` naming the bad field."""
    if not isinstance(data, Mapping):
        raise CalendarError("calendar", "must be an object")
    for key in data:
        if key not in TOP_LEVEL_FIELDS:
            raise CalendarError(_key(key), "unknown field")
    name = data.get("name", "")
    if not isinstance(name, str):
        raise CalendarError("name", "must be a string")
    weekly = _parse_hours(data.get("hours"))
    closures = frozenset(_parse_closures(data.get("closures", [])))
    extra = _parse_extra_days(data.get("extra_days", {}), weekly)
    for day, _ in extra:
        if day in closures:
            raise CalendarError(f"extra_days.{day.isoformat()}", "the date is also a closure")
    country, subdivision = _parse_holidays(data.get("holidays"))
    return CalendarSpec(
        timezone=_parse_timezone(data.get("timezone")),
        weekly=weekly,
        name=name,
        holiday_country=country,
        holiday_subdivision=subdivision,
        closures=closures,
        extra_days=extra,
    )


def _key(key: object) -> str:
    """A mapping key as it appears in a field path; odd keys (empty, not text) are quoted."""
    return key if isinstance(key, str) and key.isprintable() and key else repr(key)


def _parse_timezone(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise CalendarError("timezone", "must be an IANA time zone name such as Europe/Berlin")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError, UnicodeError):
        raise CalendarError("timezone", f"unknown time zone {value!r}") from None
    return value


def _parse_hours(value: object) -> tuple[Day, Day, Day, Day, Day, Day, Day]:
    if value == "24x7":
        return (ALL_DAY,) * 7
    if not isinstance(value, Mapping):
        raise CalendarError("hours", 'must be "24x7" or an object keyed by weekday (mon … sun)')
    for key in value:
        if key not in WEEKDAYS:
            raise CalendarError(f"hours.{_key(key)}", "unknown weekday (use mon, tue … sun)")
    days = [_parse_day(f"hours.{key}", value.get(key, [])) for key in WEEKDAYS]
    # Day 7 is Monday again, so Sunday's overnight tail is checked against Monday.
    placed = [
        (d, i, f"hours.{WEEKDAYS[d % 7]}[{i}]", iv)
        for d in range(8)
        for i, iv in enumerate(days[d % 7])
    ]
    _check_overlaps(placed, lambda a, b: b if a[0] < 7 or b[0] < 7 else None)
    mon, tue, wed, thu, fri, sat, sun = days
    return (mon, tue, wed, thu, fri, sat, sun)


def _parse_day(path: str, value: object) -> Day:
    if not isinstance(value, list | tuple):
        raise CalendarError(path, 'must be a list of ["HH:MM", "HH:MM"] intervals')
    intervals = []
    for index, item in enumerate(value):
        where = f"{path}[{index}]"
        if not isinstance(item, list | tuple) or len(item) != 2:
            raise CalendarError(where, 'must be a pair ["HH:MM", "HH:MM"]')
        start = _parse_time(f"{where}.start", item[0])
        end = _parse_time(f"{where}.end", item[1])
        if start == DAY:
            raise CalendarError(f"{where}.start", "24:00 is only allowed as an end time")
        if end == start:
            raise CalendarError(where, "end equals start (an interval must have a length)")
        intervals.append(Interval(start, end))
    placed = [(0, i, f"{path}[{i}]", iv) for i, iv in enumerate(intervals)]
    _check_overlaps(placed, lambda a, b: b)
    return tuple(sorted(intervals))


def _parse_time(path: str, value: object) -> int:
    match = _TIME.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise CalendarError(path, f"malformed time {value!r} (use HH:MM or HH:MM:SS, 00:00-24:00)")
    if match.group(1) is None:
        return DAY
    return int(match.group(1)) * 3600 + int(match.group(2)) * 60 + int(match.group(3) or 0)


def _parse_date(path: str, value: object) -> date:
    if not isinstance(value, str) or _DATE.fullmatch(value) is None:
        raise CalendarError(path, f"malformed date {value!r} (use YYYY-MM-DD)")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise CalendarError(path, f"no such date {value!r}") from None
    if not 1900 <= day.year <= 2999:
        raise CalendarError(path, "year must be between 1900 and 2999")
    return day


def _parse_closures(value: object) -> list[date]:
    if not isinstance(value, list | tuple):
        raise CalendarError("closures", "must be a list of YYYY-MM-DD dates")
    return [_parse_date(f"closures[{i}]", item) for i, item in enumerate(value)]


def _parse_extra_days(value: object, weekly: tuple[Day, ...]) -> tuple[tuple[date, Day], ...]:
    if not isinstance(value, Mapping):
        raise CalendarError("extra_days", 'must be an object {"YYYY-MM-DD": [intervals]}')
    extra: dict[date, Day] = {}
    for key, intervals in value.items():
        path = f"extra_days.{_key(key)}"
        day = _parse_date(path, key)
        if day in extra:
            raise CalendarError(path, "date given twice")
        extra[day] = _parse_day(path, intervals)
        if not extra[day]:
            raise CalendarError(path, "needs at least one interval (use closures to close a day)")
    for day in extra:
        _check_extra_day_neighbours(day, extra, weekly)
    return tuple(sorted(extra.items()))


def _check_extra_day_neighbours(day: date, extra: dict[date, Day], weekly: tuple[Day, ...]) -> None:
    """An extra day must not overlap the overnight tail of the day before, nor its own tail the
    day after, whether those neighbours are weekly days or extra days themselves."""
    placed = []
    for offset in (-1, 0, 1):
        other = day + timedelta(days=offset)
        if other in extra:
            prefix, intervals = f"extra_days.{other.isoformat()}", extra[other]
        else:
            prefix, intervals = f"hours.{WEEKDAYS[other.weekday()]}", weekly[other.weekday()]
        placed += [(offset + 1, i, f"{prefix}[{i}]", iv) for i, iv in enumerate(intervals)]
    _check_overlaps(placed, lambda a, b: b if b[0] == 1 else a if a[0] == 1 else None)


def _check_overlaps(placed: list[Placed], blame: Callable[[Placed, Placed], Placed | None]) -> None:
    """Reject the first overlapping pair (touching is fine). ``placed`` holds (day offset, index,
    field path, interval), each day offset adding 24 h on one line. ``blame`` picks which of an
    overlapping pair the error names, or None when the pair is not this check's business."""
    for n, a in enumerate(placed):
        a0, a1 = (a[0] * DAY + s for s in a[3].span)
        for b in placed[n + 1 :]:
            b0, b1 = (b[0] * DAY + s for s in b[3].span)
            culprit = blame(a, b) if max(a0, b0) < min(a1, b1) else None
            if culprit is not None:
                other = a if culprit is b else b
                kind = "overnight interval " if a[3].overnight or b[3].overnight else "interval "
                raise CalendarError(culprit[2], f"{kind}overlaps {other[2]}")


def _parse_holidays(value: object) -> tuple[str | None, str | None]:
    if value is None:
        return None, None
    if not isinstance(value, Mapping):
        raise CalendarError("holidays", 'must be an object {"country": …, "subdivision": …}')
    for key in value:
        if key not in ("country", "subdivision"):
            raise CalendarError(f"holidays.{_key(key)}", "unknown field")
    country, subdivision = value.get("country"), value.get("subdivision")
    supported = _supported_countries()
    if not isinstance(country, str) or country not in supported:
        raise CalendarError("holidays.country", f"unknown holiday country {country!r}")
    if subdivision is not None and (
        not isinstance(subdivision, str) or subdivision not in supported[country]
    ):
        raise CalendarError("holidays.subdivision", f"unknown subdivision {subdivision!r}")
    return country, subdivision


@cache
def _supported_countries() -> dict[str, tuple[str, ...]]:
    return {code: tuple(subs) for code, subs in holidays.list_supported_countries().items()}


@cache
def holiday_dates(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    """Public holidays of one year (cached: the ``holidays`` package computes them per call)."""
    found = holidays.country_holidays(country, subdiv=subdivision, years=year)
    return frozenset(day for day in found if day.year == year)


def effective_day(spec: CalendarSpec, day: date, extra: Mapping[date, Day]) -> Day:
    """The opening intervals of one local date: an extra day's own intervals win, then a closure
    or a public holiday closes the day, else the weekday's hours apply."""
    if day in extra:
        return extra[day]
    if day in spec.closures:
        return ()
    if spec.holiday_country is not None and day in holiday_dates(
        spec.holiday_country, spec.holiday_subdivision, day.year
    ):
        return ()
    return spec.weekly[day.weekday()]


def _interval_json(interval: Interval) -> list[str]:
    return [_format_time(interval.start), _format_time(interval.end)]


def _format_time(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}" + (f":{secs:02d}" if secs else "")


def days_between(first: date, last: date) -> Iterable[date]:
    """Every date from ``first`` to ``last`` inclusive."""
    for n in range((last - first).days + 1):
        yield first + timedelta(days=n)
