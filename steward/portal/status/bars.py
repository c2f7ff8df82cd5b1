"""Per-day uptime of each service for the bars, with the settled days cached.

Reading 90 days of results is the page's one heavy step (seconds on SQLite for twenty
one-minute checks), and the days before yesterday rarely change: their shares are kept in the
cache (``STEWARD_STATUS_CACHE_SECONDS``, a day by default) per check, interval and time zone,
so a view reads only the results of the days not cached yet: normally yesterday and today,
plus the day that has just become settled. A result that arrives later than that for an older
day (a collector replaying a long buffer) shows once the cached days expire.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache

from steward.monitoring.models import Check
from steward.portal.status.history import check_intervals
from steward.portal.status.uptime import DayShare, daily_shares, local_midnight

LIVE_DAYS = 2  # yesterday and today are always read afresh
DEFAULT_CACHE_SECONDS = 24 * 3600


def _key(check: Check, zone: ZoneInfo) -> str:
    return f"steward:status:days:{check.pk}:{check.interval_s}:{zone.key}"


def day_shares(
    checks: Sequence[Check], days: Sequence[date], zone: ZoneInfo, now: datetime
) -> dict[int, list[DayShare]]:
    """Each check's shares for ``days`` (ascending, the last one today).

    1. Fetch the cached settled days of every check in one cache call.
    2. Read results from the first day any check misses (one query for all checks).
    3. Cache the settled days computed, and merge.
    """
    if not checks:
        return {}
    live = days[max(0, len(days) - LIVE_DAYS)]
    settled = [d for d in days if d < live]
    keys = {check.pk: _key(check, zone) for check in checks}
    cached = cache.get_many(list(keys.values()))
    known: dict[int, dict[date, tuple[float, float]]] = {
        check.pk: cached.get(keys[check.pk], {}) for check in checks
    }

    def first_missing(check: Check) -> date:
        return next((d for d in settled if d not in known[check.pk]), live)

    start = min(first_missing(check) for check in checks)
    intervals = check_intervals(checks, local_midnight(start, zone))
    fresh_days = [d for d in days if d >= start]
    found: dict[int, list[DayShare]] = {}
    to_cache = {}
    for check in checks:
        merged = dict(known[check.pk])
        for share in daily_shares(intervals[check.pk], fresh_days, zone, now):
            merged[share.day] = (share.up_s, share.down_s)
        if any(d not in known[check.pk] for d in settled):
            to_cache[keys[check.pk]] = {d: merged[d] for d in settled}
        found[check.pk] = [DayShare(d, *merged.get(d, (0.0, 0.0))) for d in days]
    if to_cache:
        seconds = int(getattr(settings, "STEWARD_STATUS_CACHE_SECONDS", DEFAULT_CACHE_SECONDS))
        cache.set_many(to_cache, timeout=seconds)
    return found
