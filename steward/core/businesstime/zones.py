"""Where a time zone's UTC offset changes, found from ``zoneinfo`` alone.

``zoneinfo`` does not expose its transition table, so the offset is sampled every hour and each
change is narrowed down to the exact second by bisection. Real time zones never change their
offset twice within one hour, so no transition is missed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

STEP = 3600
_SECOND = timedelta(seconds=1)


def utc_offset(zone: ZoneInfo, instant: int) -> int:
    """The zone's UTC offset in whole seconds at a UTC instant (epoch seconds)."""
    offset = datetime.fromtimestamp(instant, zone).utcoffset()
    assert offset is not None  # a ZoneInfo always knows its offset
    return offset // _SECOND


@lru_cache(maxsize=4096)
def offset_segments(zone_key: str, lo: int, hi: int) -> tuple[tuple[int, int, int], ...]:
    """Cut the UTC range [lo, hi) where the offset changes: (start, end, offset) triples.

    Cached per zone and range: calendars in the same zone compile the same years."""
    zone = ZoneInfo(zone_key)
    segments = []
    start, offset = lo, utc_offset(zone, lo)
    probe = lo
    while probe < hi - 1:
        probe = min(probe + STEP, hi - 1)
        if utc_offset(zone, probe) != offset:
            change = _first_change(zone, max(start, probe - STEP), probe, offset)
            segments.append((start, change, offset))
            start, offset = change, utc_offset(zone, change)
            probe = change
    segments.append((start, hi, offset))
    return tuple(segments)


def _first_change(zone: ZoneInfo, before: int, after: int, offset: int) -> int:
    """The first second in (before, after] whose offset differs from ``offset``."""
    while after - before > 1:
        middle = (before + after) // 2
        if utc_offset(zone, middle) == offset:
            before = middle
        else:
            after = middle
    return after
