"""Maintenance windows: one-off and recurring (RFC 5545 RRULE), expanded into occurrences.

A recurring window repeats the *wall-clock* time of its first start in its time zone, and each
occurrence lasts ``duration_seconds`` of wall-clock time: a weekly 02:00-04:00 Europe/Berlin
window is 01:00-03:00 UTC in winter and 00:00-02:00 UTC in summer. On DST nights:

- a start or end that does not exist (spring forward, 02:30) moves forward with the clock
  (zoneinfo's ``fold=0`` reading of a gap is the pre-transition offset: 02:30 is 03:30 CEST);
- a start that exists twice (fall back) is the earlier reading, an end that exists twice the
  later one, so the window covers the whole wall-clock range (02:00-04:00 is then 3 hours).

Every occurrence covers ``[start, end)``: start inclusive, end exclusive.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import rrule as du_rrule

from .model import Occurrence

FREQUENCIES = ("HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY")
WEEKDAY = r"[+-]?[0-9]{0,2}(MO|TU|WE|TH|FR|SA|SU)"
INTEGER_LIST = r"[+-]?[0-9]{1,3}(,[+-]?[0-9]{1,3})*"
PARTS: dict[str, tuple[str, str]] = {
    "FREQ": ("|".join(FREQUENCIES), "one of " + ", ".join(FREQUENCIES)),
    "INTERVAL": (r"[1-9][0-9]{0,3}", "a whole number from 1"),
    "COUNT": (r"[1-9][0-9]{0,5}", "a whole number from 1"),
    "UNTIL": (r"[0-9]{8}(T[0-9]{6}Z?)?", "a date YYYYMMDD or a time YYYYMMDDTHHMMSS[Z]"),
    "BYDAY": (rf"{WEEKDAY}(,{WEEKDAY})*", "weekdays such as MO,WE or 1MO,-1SU"),
    "BYMONTHDAY": (INTEGER_LIST, "day numbers such as 1,15,-1"),
    "BYMONTH": (INTEGER_LIST, "month numbers 1-12"),
    "BYYEARDAY": (INTEGER_LIST, "day-of-year numbers"),
    "BYWEEKNO": (INTEGER_LIST, "week numbers"),
    "BYHOUR": (INTEGER_LIST, "hours 0-23"),
    "BYMINUTE": (INTEGER_LIST, "minutes 0-59"),
    "BYSETPOS": (INTEGER_LIST, "positions such as 1 or -1"),
    "WKST": ("MO|TU|WE|TH|FR|SA|SU", "a weekday such as MO"),
}
# Allowed magnitudes of the numbers in integer-list parts (zero is never allowed but in hours
# and minutes; a minus counts from the end).
RANGES: dict[str, tuple[int, int, bool]] = {
    "BYMONTHDAY": (1, 31, True),
    "BYMONTH": (1, 12, False),
    "BYYEARDAY": (1, 366, True),
    "BYWEEKNO": (1, 53, True),
    "BYHOUR": (0, 23, False),
    "BYMINUTE": (0, 59, False),
    "BYSETPOS": (1, 366, True),
}


class MaintenanceError(ValueError):
    """A window was rejected: ``field`` names the bad part (``rrule.BYDAY``), ``reason`` why."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@dataclass(frozen=True)
class MaintenanceWindow:
    """A planned window. One-off: ``start``/``end``. Recurring: ``start`` is the first
    occurrence (its wall-clock time in ``timezone`` repeats), ``rrule`` the RFC 5545 rule
    (``FREQ=WEEKLY;BYDAY=SU``), ``duration_seconds`` each occurrence's wall-clock length.
    ``client`` None covers every client; empty ``assets`` covers all of the client's assets."""

    id: str
    start: datetime
    end: datetime | None = None
    rrule: str | None = None
    duration_seconds: int = 0
    timezone: str = "UTC"
    client: str | None = None
    assets: frozenset[str] = frozenset()
    title: str = ""

    def __post_init__(self) -> None:
        if self.start.tzinfo is None:
            raise MaintenanceError("start", "needs a time zone (an aware time)")
        zone(self.timezone)
        if self.rrule is None:
            if self.end is None:
                raise MaintenanceError("end", "a one-off window needs an end (or give an rrule)")
            if self.end.tzinfo is None:
                raise MaintenanceError("end", "needs a time zone (an aware time)")
            if self.end <= self.start:
                raise MaintenanceError("end", "must be after start")
            return
        if self.end is not None:
            raise MaintenanceError("end", "a recurring window has duration_seconds, not an end")
        if self.duration_seconds <= 0:
            raise MaintenanceError("duration_seconds", "must be positive for a recurring window")
        _rule(self, zone(self.timezone))

    def applies_to(self, client: str | None, asset: str | None) -> bool:
        if self.client is not None and client != self.client:
            return False
        return not self.assets or asset in self.assets


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise MaintenanceError("timezone", f"unknown time zone {name!r}") from error


def parse_rrule(text: str) -> dict[str, str]:
    """Check an RRULE value part by part; the error names the part (``rrule.BYDAY``)."""
    body = text.strip()
    if body.upper().startswith("RRULE:"):
        body = body[len("RRULE:") :]
    if not body:
        raise MaintenanceError("rrule", "is empty")
    parts: dict[str, str] = {}
    for item in body.split(";"):
        name, equals, value = item.partition("=")
        name = name.strip().upper()
        if not equals:
            raise MaintenanceError("rrule", f"{item!r} is not NAME=VALUE")
        if name not in PARTS:
            raise MaintenanceError(f"rrule.{name}", "unknown or unsupported rule part")
        if name in parts:
            raise MaintenanceError(f"rrule.{name}", "given twice")
        pattern, expected = PARTS[name]
        if not re.fullmatch(pattern, value.strip().upper(), re.ASCII):
            raise MaintenanceError(f"rrule.{name}", f"{value!r} is not {expected}")
        parts[name] = value.strip().upper()
        if name in RANGES:
            _check_range(name, parts[name])
        if name == "UNTIL":
            _check_until(parts[name])
    if "FREQ" not in parts:
        raise MaintenanceError("rrule.FREQ", "is required")
    if "COUNT" in parts and "UNTIL" in parts:
        raise MaintenanceError("rrule.UNTIL", "cannot be combined with COUNT")
    return parts


def _check_until(value: str) -> None:
    shape = {8: "%Y%m%d", 15: "%Y%m%dT%H%M%S", 16: "%Y%m%dT%H%M%SZ"}[len(value)]
    try:
        datetime.strptime(value, shape)  # noqa: DTZ007 - only checks that the date exists
    except ValueError as error:
        raise MaintenanceError("rrule.UNTIL", f"{value!r} is not a valid date or time") from error


def _check_range(name: str, value: str) -> None:
    low, high, negative = RANGES[name]
    for item in value.split(","):
        number = int(item)
        if number < 0 and not negative:
            raise MaintenanceError(f"rrule.{name}", f"{number} must not be negative")
        if not low <= abs(number) <= high:
            raise MaintenanceError(f"rrule.{name}", f"{number} is outside {low}..{high}")


def _rule(window: MaintenanceWindow, tz: ZoneInfo) -> du_rrule.rrule:
    parts = parse_rrule(window.rrule or "")
    local_start = window.start.astimezone(tz).replace(tzinfo=None)
    until = parts.get("UNTIL")
    if until is not None and until.endswith("Z"):
        # dateutil wants UNTIL in the same (naive, local) terms as DTSTART.
        moment = datetime.strptime(until, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        parts["UNTIL"] = moment.astimezone(tz).strftime("%Y%m%dT%H%M%S")
    text = ";".join(f"{name}={value}" for name, value in parts.items())
    try:
        found = du_rrule.rrulestr(text, dtstart=local_start)
    except (ValueError, TypeError) as error:
        raise MaintenanceError("rrule", str(error)) from error
    assert isinstance(found, du_rrule.rrule)
    return found


def occurrences(window: MaintenanceWindow, start: datetime, end: datetime) -> list[Occurrence]:
    """The window's occurrences that overlap ``[start, end)``, in order."""
    if window.rrule is None:
        assert window.end is not None
        if window.start < end and start < window.end:
            return [Occurrence(window.start, window.end, window.id)]
        return []
    tz = zone(window.timezone)
    length = timedelta(seconds=window.duration_seconds)
    # Local wall-clock bounds, widened by the length and a day for offsets and DST.
    lower = start.astimezone(tz).replace(tzinfo=None) - length - timedelta(days=1)
    upper = end.astimezone(tz).replace(tzinfo=None) + timedelta(days=1)
    found = []
    for local in _rule(window, tz).between(lower, upper, inc=True):
        begins = local.replace(tzinfo=tz, fold=0).astimezone(UTC)
        ends = _latest_reading(local + length, tz)
        if begins < end and start < ends:
            found.append(Occurrence(begins, ends, window.id))
    return found


def _latest_reading(local: datetime, tz: ZoneInfo) -> datetime:
    """An ambiguous wall time's later reading; a nonexistent one moves forward (``fold=0``)."""
    first, second = local.replace(tzinfo=tz, fold=0), local.replace(tzinfo=tz, fold=1)
    first_offset, second_offset = first.utcoffset(), second.utcoffset()
    assert first_offset is not None
    assert second_offset is not None
    # Fall back: fold=0 has the larger offset (summer time), fold=1 is the later instant.
    return (second if first_offset > second_offset else first).astimezone(UTC)


def between(
    windows: Iterable[MaintenanceWindow],
    client: str | None,
    asset: str | None,
    start: datetime,
    end: datetime,
) -> list[Occurrence]:
    """Occurrences for one asset's scope overlapping ``[start, end)``: pass them to ``evaluate``
    (from the previous evaluation to now) so transitions inside them are suppressed."""
    found = [
        occurrence
        for window in windows
        if window.applies_to(client, asset)
        for occurrence in occurrences(window, start, end)
    ]
    return sorted(found, key=lambda o: (o.start, o.end, o.window_id))


def active(
    windows: Iterable[MaintenanceWindow], client: str | None, asset: str | None, now: datetime
) -> list[Occurrence]:
    """The occurrences in force at ``now`` for this scope (start inclusive, end exclusive)."""
    return [
        o
        for o in between(windows, client, asset, now, now + timedelta(microseconds=1))
        if o.covers(now)
    ]


def upcoming(
    windows: Sequence[MaintenanceWindow],
    now: datetime,
    horizon: timedelta,
    client: str | None = None,
) -> list[Occurrence]:
    """Occurrences in force now or starting within ``horizon``, to show clients in advance.
    ``client`` None lists every window; otherwise the client's and the global ones."""
    found = [
        occurrence
        for window in windows
        if client is None or window.client in (None, client)
        for occurrence in occurrences(window, now, now + horizon)
    ]
    return sorted(found, key=lambda o: (o.start, o.end, o.window_id))
