"""Business time: the one implementation of "add N business seconds" and "business seconds
between", used by SLA clocks, reports and escalations alike (docs/business-time.md).

Rules, in short:

- An instant is business time when the calendar zone's wall clock, at that instant, reads a
  date and time inside an opening interval of an open day. Business seconds are real elapsed
  seconds, so a night that loses an hour to DST counts one hour less, and wall times repeated by
  a fall-back count twice.
- Business time is counted in whole seconds: an instant with a fractional second counts from
  the start of its second. So ``between`` returns exact integers and is additive over any split
  point, and ``between(t, add(t, s)) == s``.
- ``add(t, 0) == t``; for ``s > 0`` the result is the instant the s-th business second
  completes, so it is never inside closed time except exactly at the end of an interval.

Nothing here reads the clock or imports Django: every instant is an argument.
"""

from __future__ import annotations

import operator
from datetime import UTC, datetime, timedelta
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from steward.core.businesstime.compiled import CompiledCalendar, Int64Array, Table
from steward.core.calendarspec import CalendarSpec

__all__ = [
    "CompiledCalendar",
    "add",
    "add_many",
    "between",
    "between_many",
    "compile_calendar",
]

Calendar = CalendarSpec | CompiledCalendar
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SECOND = timedelta(seconds=1)


@lru_cache(maxsize=512)
def compile_calendar(spec: CalendarSpec) -> CompiledCalendar:
    """The compiled form of a calendar, shared per spec (years are compiled on first use)."""
    return CompiledCalendar(spec)


def add(cal: Calendar, start: datetime, seconds: int) -> datetime:
    """The instant ``seconds`` business seconds after ``start``, in the calendar's zone."""
    compiled = _compiled(cal)
    seconds = _seconds(seconds)
    instant = _epoch(start)
    if seconds == 0:
        return start.astimezone(compiled.zone)
    found = _add_epoch(compiled, instant, seconds)
    return datetime.fromtimestamp(found, compiled.zone)


def between(cal: Calendar, start: datetime, end: datetime) -> int:
    """Business seconds in [start, end); 0 when ``end <= start``."""
    compiled = _compiled(cal)
    first, last = _epoch(start), _epoch(end)
    if last <= first:
        return 0
    table = compiled.covering(first, last)
    return table.position(last) - table.position(first)


def add_many(
    cal: Calendar, starts: npt.ArrayLike, seconds: npt.ArrayLike
) -> npt.NDArray[np.generic]:
    """``add`` over arrays of starts (int64 epoch seconds or datetime64) and durations.

    Returns the same kind as ``starts``: int64 epoch seconds, or datetime64[s].
    """
    compiled = _compiled(cal)
    instants, is_datetime = _epoch_array(starts)
    durations = np.asarray(seconds)
    if durations.dtype.kind not in "iub":
        raise TypeError("seconds must be an integer array")
    instants, durations = np.broadcast_arrays(instants, durations.astype(np.int64))
    if (durations < 0).any():
        raise ValueError("seconds must not be negative")
    found = instants.copy()
    moving = durations > 0
    if moving.any():
        found[moving] = _add_epoch_many(compiled, instants[moving], durations[moving])
    return found.astype("datetime64[s]") if is_datetime else found


def between_many(cal: Calendar, starts: npt.ArrayLike, ends: npt.ArrayLike) -> Int64Array:
    """``between`` over arrays (int64 epoch seconds or datetime64); int64 business seconds."""
    compiled = _compiled(cal)
    first, _ = _epoch_array(starts)
    last, _ = _epoch_array(ends)
    first, last = np.broadcast_arrays(first, last)
    if first.size == 0:
        return np.zeros(first.shape, dtype=np.int64)
    table = compiled.covering(int(min(first.min(), last.min())), int(max(first.max(), last.max())))
    return np.maximum(table.positions(last) - table.positions(first), 0)


def _add_epoch(compiled: CompiledCalendar, instant: int, seconds: int) -> int:
    table = compiled.covering(instant, instant)
    while True:
        target = table.position(instant) + seconds
        found = table.locate(target)
        if found is not None and found <= table.hi:
            return found
        table = _grow(compiled, table, instant, target)


def _add_epoch_many(
    compiled: CompiledCalendar, instants: Int64Array, seconds: Int64Array
) -> Int64Array:
    table = compiled.covering(int(instants.min()), int(instants.max()))
    while True:
        targets = table.positions(instants) + seconds
        found = table.locate_many(targets)
        if int(found.max()) <= table.hi:
            return found
        table = _grow(compiled, table, int(instants.min()), int(targets.max()))


def _grow(compiled: CompiledCalendar, table: Table, lo: int, target: int) -> Table:
    grown = compiled.extended(table, lo, target)
    if grown.hi <= table.hi:
        raise ValueError("the calendar has no business time that far ahead")
    return grown


def _compiled(cal: Calendar) -> CompiledCalendar:
    if isinstance(cal, CompiledCalendar):
        return cal
    if isinstance(cal, CalendarSpec):
        return compile_calendar(cal)
    raise TypeError(f"expected a CalendarSpec or CompiledCalendar, not {type(cal).__name__}")


def _epoch(moment: datetime) -> int:
    """Whole epoch seconds (floored) of an aware datetime; naive ones are refused."""
    if not isinstance(moment, datetime):
        raise TypeError(f"expected a datetime, not {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("naive datetime: business time needs an aware datetime")
    return (moment - _EPOCH) // _SECOND


def _seconds(value: int) -> int:
    seconds = operator.index(value)
    if seconds < 0:
        raise ValueError("seconds must not be negative")
    return seconds


def _epoch_array(values: npt.ArrayLike) -> tuple[Int64Array, bool]:
    """int64 epoch seconds from int or datetime64 arrays (datetime64 floored to the second)."""
    array = np.asarray(values)
    if array.dtype.kind == "M":
        if np.isnat(array).any():
            raise ValueError("NaT is not an instant")
        return array.astype("datetime64[s]").astype(np.int64), True
    if array.dtype.kind in "iu":
        return array.astype(np.int64), False
    raise TypeError("instants must be int64 epoch seconds or datetime64")
