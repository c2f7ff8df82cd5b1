"""Pure time math of the notify app: quiet hours and retry backoff (both take ``now``)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

RETRY_BASE = timedelta(minutes=1)
RETRY_CAP = timedelta(hours=1)
MAX_ATTEMPTS = 8


def in_quiet_hours(local: time, start: time, end: time) -> bool:
    """Whether wall-clock ``local`` is inside [start, end); a window over midnight
    (start > end) wraps; start == end means no quiet hours."""
    if start == end:
        return False
    if start < end:
        return start <= local < end
    return local >= start or local < end


def first_instant_at(day: date, wall: time, zone: ZoneInfo) -> datetime:
    """The first UTC instant at which the wall clock of ``zone`` on ``day`` reads ``wall`` or
    later. A wall time skipped by a spring-forward gap yields the gap's end (the clocks jump
    past it); one that happens twice in autumn yields its first occurrence."""
    naive = datetime.combine(day, wall)
    early = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    late = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    lo, hi = min(early, late), max(early, late)
    if lo.astimezone(zone).replace(tzinfo=None) >= naive:
        return lo  # the time exists (once, or twice: fold=0 is the first)
    # In a gap: the first instant whose wall time has passed ``wall``, found by bisection on
    # whole seconds (zone transitions fall on whole seconds).
    while hi - lo > timedelta(seconds=1):
        mid = lo + (hi - lo) / 2
        mid = mid.replace(microsecond=0)
        if mid.astimezone(zone).replace(tzinfo=None) >= naive:
            hi = mid
        else:
            lo = mid
    return hi


def quiet_until(now: datetime, start: time, end: time, zone: ZoneInfo) -> datetime | None:
    """When ``now`` falls in the quiet hours [start, end) of ``zone``'s wall clock, the UTC
    instant they end; otherwise None."""
    local = now.astimezone(zone)
    wall = local.time().replace(tzinfo=None)
    if not in_quiet_hours(wall, start, end):
        return None
    day = local.date()
    if start > end and wall >= start:
        day += timedelta(days=1)  # the evening part of a window that ends tomorrow morning
    return first_instant_at(day, end, zone)


def retry_at(attempts: int, now: datetime) -> datetime | None:
    """When to try again after ``attempts`` failed attempts: 1, 2, 4 … minutes, at most an
    hour apart; None once ``MAX_ATTEMPTS`` attempts have failed (the delivery has failed)."""
    if attempts >= MAX_ATTEMPTS:
        return None
    delay = RETRY_BASE * (2 ** max(attempts - 1, 0))
    return now + min(delay, RETRY_CAP)
