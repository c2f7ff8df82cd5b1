"""A calendar compiled into sorted UTC open intervals with a cumulative sum, by year.

The rule being compiled: a UTC instant is business time when its local wall-clock reading (date
and time of day in the calendar's zone) lies inside an opening interval of an open day; an
overnight interval belongs to the day it starts on. Compiling it:

1. For every local date of a year (plus the last day of the year before, for its overnight tail)
   list the opening intervals as "naive local seconds" (seconds since 1970-01-01 00:00 on the
   wall clock), merging those that touch.
2. Cut UTC time into segments of constant UTC offset ``o``. Inside a segment the wall clock
   reads ``u + o``, so the open instants are the local intervals shifted by ``-o``, clipped to
   the segment. Wall times skipped by a spring-forward are never read, so they count nothing;
   wall times repeated by a fall-back are read twice, so they count twice.
3. Concatenate the years, sort, merge, and prefix-sum the lengths. ``position(x)`` (business
   seconds since the start of the table) is then one binary search, and so is its inverse.
"""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

from steward.core.businesstime.zones import offset_segments
from steward.core.calendarspec import DAY, CalendarSpec, days_between, effective_day

Int64Array = npt.NDArray[np.int64]

MIN_YEAR, MAX_YEAR = 1900, 2999
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
# Sentinel interval in front of the table: every position search lands at index >= 0.
_FAR_PAST = -(2**62)
_NEVER = np.iinfo(np.int64).max


def local_seconds(day: date) -> int:
    """Naive local seconds of a date's midnight."""
    return (day.toordinal() - EPOCH_ORDINAL) * DAY


def utc_year(instant: int) -> int:
    return date.fromordinal(EPOCH_ORDINAL + instant // DAY).year


def merge(starts: Int64Array, ends: Int64Array) -> tuple[Int64Array, Int64Array]:
    """Union of intervals: sorted, overlapping or touching ones joined."""
    if starts.size == 0:
        return starts, ends
    order = np.argsort(starts, kind="stable")
    starts, ends = starts[order], ends[order]
    reach = np.maximum.accumulate(ends)
    first = np.ones(starts.size, dtype=bool)
    first[1:] = starts[1:] > reach[:-1]
    last = np.ones(starts.size, dtype=bool)
    last[:-1] = first[1:]
    return starts[first], reach[last]


def compile_year(spec: CalendarSpec, year: int) -> tuple[Int64Array, Int64Array]:
    """UTC open intervals of the local days of one year (and the tail of 31 December before)."""
    extra = spec.extra_day_map()
    first, last = date(year, 1, 1) - timedelta(days=1), date(year, 12, 31)
    local = [
        (local_seconds(day) + iv.span[0], local_seconds(day) + iv.span[1])
        for day in days_between(first, last)
        for iv in effective_day(spec, day, extra)
    ]
    empty = np.zeros(0, dtype=np.int64)
    if not local:
        return empty, empty
    ls, le = merge(*(np.array(column, dtype=np.int64) for column in zip(*local, strict=True)))
    # UTC offsets stay within ±24 h, so this UTC range sees every one of these wall times.
    lo, hi = local_seconds(first) - DAY, local_seconds(last) + 3 * DAY
    starts, ends = [empty], [empty]
    for seg_start, seg_end, offset in offset_segments(spec.timezone, lo, hi):
        us = np.maximum(ls - offset, seg_start)
        ue = np.minimum(le - offset, seg_end)
        keep = us < ue
        starts.append(us[keep])
        ends.append(ue[keep])
    return np.concatenate(starts), np.concatenate(ends)


@dataclass(frozen=True)
class Table:
    """Open UTC intervals valid for instants in [lo, hi], with cumulative business seconds."""

    lo: int
    hi: int
    starts: Int64Array
    ends: Int64Array
    cum_end: Int64Array  # business seconds from the table start to each interval's end
    starts_list: list[int] = field(repr=False)
    ends_list: list[int] = field(repr=False)
    cum_end_list: list[int] = field(repr=False)

    @classmethod
    def build(cls, lo: int, hi: int, starts: Int64Array, ends: Int64Array) -> Table:
        starts, ends = merge(starts, ends)
        starts = np.concatenate([[_FAR_PAST], starts]).astype(np.int64)
        ends = np.concatenate([[_FAR_PAST], ends]).astype(np.int64)
        cum_end = np.cumsum(ends - starts).astype(np.int64)
        return cls(lo, hi, starts, ends, cum_end, starts.tolist(), ends.tolist(), cum_end.tolist())

    @property
    def total(self) -> int:
        return int(self.cum_end[-1])

    def position(self, instant: int) -> int:
        """Business seconds from the start of the table to ``instant``."""
        i = bisect_right(self.starts_list, instant) - 1
        return self.cum_end_list[i] - max(self.ends_list[i] - instant, 0)

    def locate(self, target: int) -> int | None:
        """The instant at which ``target`` business seconds are complete (``target`` > 0), or
        None when the table ends first."""
        j = bisect_left(self.cum_end_list, target)
        if j == len(self.cum_end_list):
            return None
        return self.ends_list[j] - (self.cum_end_list[j] - target)

    def positions(self, instants: Int64Array) -> Int64Array:
        i = np.searchsorted(self.starts, instants, side="right") - 1
        return self.cum_end[i] - np.maximum(self.ends[i] - instants, 0)

    def locate_many(self, targets: Int64Array) -> Int64Array:
        """Like ``locate``; instants past the end of the table come back as int64 max."""
        j = np.searchsorted(self.cum_end, targets, side="left")
        inside = j < self.cum_end.size
        j = np.minimum(j, self.cum_end.size - 1)
        found = self.ends[j] - (self.cum_end[j] - targets)
        return np.where(inside, found, _NEVER)


class CompiledCalendar:
    """A calendar's compiled table, extended by whole years when a query falls outside it.

    Thread-safe: readers take ``table`` (immutable) in one read; extension holds a lock.
    """

    def __init__(self, spec: CalendarSpec) -> None:
        self.spec = spec
        self.zone = spec.zone
        self._years: dict[int, tuple[Int64Array, Int64Array]] = {}
        self._lock = threading.Lock()
        self.table: Table | None = None
        last_extra = max((d.year for d, _ in spec.extra_days), default=MIN_YEAR)
        # Past this year there is no opening time at all (no weekly hours, no extra days).
        self._dead_after = MAX_YEAR if any(spec.weekly) else last_extra + 1

    def covering(self, lo: int, hi: int) -> Table:
        """A table that is valid for every instant in [lo, hi]."""
        table = self.table
        if table is not None and table.lo <= lo and hi <= table.hi:
            return table
        # The table of years Y0..Y1 is exact from local 1 January Y0 to local 1 January Y1+1;
        # a day of margin on each side covers any UTC offset.
        y0, y1 = utc_year(lo - DAY), utc_year(hi + DAY)
        if y0 < MIN_YEAR or y1 > MAX_YEAR:
            raise ValueError(f"business time covers the years {MIN_YEAR}-{MAX_YEAR} only")
        with self._lock:
            table = self.table
            if table is not None:
                y0 = min(y0, utc_year(table.lo - DAY))
                y1 = max(y1, utc_year(table.hi + DAY))
            for year in range(y0, y1 + 1):
                if year not in self._years:
                    self._years[year] = compile_year(self.spec, year)
            pieces = [self._years[year] for year in range(y0, y1 + 1)]
            table = Table.build(
                local_seconds(date(y0, 1, 1)) + DAY,
                local_seconds(date(y1 + 1, 1, 1)) - DAY,
                np.concatenate([p[0] for p in pieces]),
                np.concatenate([p[1] for p in pieces]),
            )
            self.table = table
        return table

    def extended(self, table: Table, lo: int, target: int) -> Table:
        """A table reaching further than ``table``, far enough (by estimate) that ``target``
        business seconds after its start fit; raise when the calendar never opens again."""
        if utc_year(table.hi) >= self._dead_after:
            raise ValueError("the calendar has no business time that far ahead")
        missing = max(target - table.total, 0)
        span = table.hi - table.lo
        ahead = DAY * 366 if table.total == 0 else max(DAY * 366, missing * span // table.total)
        return self.covering(lo, min(table.hi + ahead, local_seconds(date(MAX_YEAR, 12, 30))))
