"""Uptime math for the status page bars: state intervals to per-day up shares in a time zone.

Pure functions (no database, no clock): the caller passes ``now``. A day is the client's
calendar day, from local midnight to the next local midnight, so a DST day lasts 23 or 25
hours. Only *known* time counts: time without a valid result (collector silent, check not
created yet) is neither up nor down, and a day with no known time has no share.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_FLOOR, Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo


class Kind(StrEnum):
    """How a stretch of time counts: up (ok, warning), down (critical) or unknown."""

    UP = "up"
    DOWN = "down"
    UNKNOWN = "unknown"


class Level(StrEnum):
    """A day's colour on the bar."""

    UP = "up"  # at or above GOOD
    DEGRADED = "degraded"  # at or above FAIR
    DOWN = "down"
    NO_DATA = "no-data"


# A day at or above GOOD % is green, at or above FAIR % amber, below that red.
GOOD = Decimal("99.9")
FAIR = Decimal("99")


@dataclass(frozen=True)
class Interval:
    """``[start, end)`` spent in one kind of state (aware datetimes)."""

    start: datetime
    end: datetime
    kind: Kind


@dataclass(frozen=True)
class DayShare:
    """One day of one service: seconds up and down (known time only)."""

    day: date
    up_s: float
    down_s: float

    @property
    def known_s(self) -> float:
        return self.up_s + self.down_s

    @property
    def up_percent(self) -> Decimal | None:
        """The share up, rounded *down* to 0.01 %, so a day with any downtime never shows 100."""
        if self.known_s <= 0:
            return None
        share = Decimal(self.up_s) * 100 / Decimal(self.known_s)
        return share.quantize(Decimal("0.01"), rounding=ROUND_FLOOR)

    @property
    def down_minutes(self) -> int:
        """Whole minutes down, rounded up: a 20-second outage shows as 1 minute, not 0."""
        return int(-(-self.down_s // 60))

    @property
    def level(self) -> Level:
        share = self.up_percent
        if share is None:
            return Level.NO_DATA
        if share >= GOOD:
            return Level.UP
        return Level.DEGRADED if share >= FAIR else Level.DOWN


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The UTC instant at which ``day`` begins in ``zone``. Where midnight does not exist (a
    zone that springs forward at 00:00), ``fold=0`` reads it with the offset before the change,
    which lands on the first instant of the day."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def day_bounds(days: Sequence[date], zone: ZoneInfo) -> list[tuple[datetime, datetime]]:
    """Each day's ``[start, end)`` in UTC."""
    return [(local_midnight(d, zone), local_midnight(d + timedelta(days=1), zone)) for d in days]


def last_days(now: datetime, zone: ZoneInfo, count: int) -> list[date]:
    """The ``count`` local days ending with today (in ``zone`` at ``now``), oldest first."""
    today = now.astimezone(zone).date()
    return [today - timedelta(days=offset) for offset in range(count - 1, -1, -1)]


def daily_shares(
    intervals: Sequence[Interval], days: Sequence[date], zone: ZoneInfo, now: datetime
) -> list[DayShare]:
    """Up and down seconds of each day in ``days`` (ascending) from ``intervals`` (ascending,
    not overlapping); time after ``now`` does not count.

    1. Each day's bounds are its local midnights, converted to UTC (23- or 25-hour DST days).
    2. Both lists are walked once with two cursors: O(intervals + days).
    """
    bounds = day_bounds(days, zone)
    up = [0.0] * len(days)
    down = [0.0] * len(days)
    first = 0
    for interval in intervals:
        if interval.kind is Kind.UNKNOWN:
            continue
        end = min(interval.end, now)
        # Days ending at or before this interval starts are done for every later one too.
        while first < len(bounds) and bounds[first][1] <= interval.start:
            first += 1
        index = first
        while index < len(bounds) and bounds[index][0] < end:
            lo, hi = max(interval.start, bounds[index][0]), min(end, bounds[index][1])
            if hi > lo:
                seconds = (hi - lo).total_seconds()
                if interval.kind is Kind.UP:
                    up[index] += seconds
                else:
                    down[index] += seconds
            index += 1
    return [DayShare(d, up[i], down[i]) for i, d in enumerate(days)]


def total_percent(shares: Sequence[DayShare]) -> Decimal | None:
    """Up share of all known time in ``shares`` (rounded down to 0.01 %), None without any."""
    return DayShare(date.min, sum(s.up_s for s in shares), sum(s.down_s for s in shares)).up_percent


def intervals_from_runs(
    runs: Sequence[tuple[datetime, str, bool]], stale_after: timedelta, kinds: dict[str, Kind]
) -> list[Interval]:
    """Intervals from the *kept* results of a check (see ``history``): (instant, state,
    continues) ascending, where ``continues`` says the next result came within
    ``stale_after``. A kept result holds until the next kept one when it continues (the results
    dropped in between had its state, each in time), else for ``stale_after``. Adjacent
    intervals of one kind are merged."""
    found: list[Interval] = []
    for index, (at, state, continues) in enumerate(runs):
        following = runs[index + 1][0] if index + 1 < len(runs) else None
        end = following if continues and following is not None else at + stale_after
        if following is not None:
            end = min(end, following)
        kind = kinds.get(state, Kind.UNKNOWN)
        if found and found[-1].kind is kind and found[-1].end == at:
            found[-1] = Interval(found[-1].start, end, kind)
        elif end > at:
            found.append(Interval(at, end, kind))
    return found
