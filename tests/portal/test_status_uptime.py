"""The uptime math of the status page bars: intervals to per-day shares in the client's zone,
at exact day boundaries and across DST nights; the overall headline."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from steward.portal.status.overall import Overall, ServiceState, overall, service_state
from steward.portal.status.uptime import (
    DayShare,
    Interval,
    Kind,
    Level,
    daily_shares,
    day_bounds,
    intervals_from_runs,
    last_days,
    total_percent,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(
    ("day", "zone", "start", "hours"),
    [
        (date(2026, 3, 28), BERLIN, utc(2026, 3, 27, 23), 24),
        (date(2026, 3, 29), BERLIN, utc(2026, 3, 28, 23), 23),  # spring forward
        (date(2026, 3, 30), BERLIN, utc(2026, 3, 29, 22), 24),
        (date(2026, 10, 25), BERLIN, utc(2026, 10, 24, 22), 25),  # fall back
        (date(2026, 11, 1), NEW_YORK, utc(2026, 11, 1, 4), 25),
        (date(2026, 3, 8), NEW_YORK, utc(2026, 3, 8, 5), 23),
        (date(2026, 6, 1), ZoneInfo("UTC"), utc(2026, 6, 1), 24),
    ],
)
def test_a_day_runs_from_local_midnight_to_local_midnight(
    day: date, zone: ZoneInfo, start: datetime, hours: int
) -> None:
    [(lo, hi)] = day_bounds([day], zone)
    assert lo == start
    assert hi - lo == timedelta(hours=hours)


def test_midnight_that_does_not_exist_starts_the_day_at_its_first_instant() -> None:
    # America/Havana springs forward at 00:00: 2026-03-08 begins at 01:00 local (05:00 UTC).
    [(lo, hi)] = day_bounds([date(2026, 3, 8)], ZoneInfo("America/Havana"))
    assert lo == utc(2026, 3, 8, 5)
    assert hi - lo == timedelta(hours=23)


UP, DOWN, UNKNOWN = Kind.UP, Kind.DOWN, Kind.UNKNOWN
NOW = utc(2026, 4, 1)


@pytest.mark.parametrize(
    ("intervals", "expected"),
    [
        # A whole 23-hour DST day up: 100 %, measured over 23 hours, not 24.
        ([(utc(2026, 3, 28, 23), utc(2026, 3, 29, 22), UP)], [(0, 0), (82_800, 0), (0, 0)]),
        # An interval ending exactly at local midnight adds nothing to the next day.
        ([(utc(2026, 3, 28, 22), utc(2026, 3, 28, 23), DOWN)], [(0, 3600), (0, 0), (0, 0)]),
        # One starting exactly at local midnight belongs to that day only.
        ([(utc(2026, 3, 29, 22), utc(2026, 3, 29, 23), DOWN)], [(0, 0), (0, 0), (0, 3600)]),
        # Across midnight: split at the local midnight (22:00 UTC in summer time).
        (
            [(utc(2026, 3, 29, 21, 30), utc(2026, 3, 29, 22, 30), DOWN)],
            [(0, 0), (0, 1800), (0, 1800)],
        ),
        # Unknown time is neither up nor down.
        ([(utc(2026, 3, 29, 0), utc(2026, 3, 29, 5), UNKNOWN)], [(0, 0), (0, 0), (0, 0)]),
        # An interval covering all three days, and one before them all.
        (
            [(utc(2026, 3, 1), utc(2026, 3, 2), DOWN), (utc(2026, 3, 27), utc(2026, 4, 1), UP)],
            [(86_400, 0), (82_800, 0), (86_400, 0)],
        ),
    ],
)
def test_daily_shares_split_intervals_at_local_midnights(
    intervals: list[tuple[datetime, datetime, Kind]], expected: list[tuple[int, int]]
) -> None:
    days = [date(2026, 3, 28), date(2026, 3, 29), date(2026, 3, 30)]
    shares = daily_shares([Interval(*i) for i in intervals], days, BERLIN, NOW)
    assert [(s.up_s, s.down_s) for s in shares] == expected
    assert [s.day for s in shares] == days


def test_time_after_now_does_not_count() -> None:
    now = utc(2026, 3, 30, 10)
    shares = daily_shares(
        [Interval(utc(2026, 3, 30, 9), utc(2026, 3, 30, 12), UP)], [date(2026, 3, 30)], BERLIN, now
    )
    assert shares[0].up_s == 3600


@pytest.mark.parametrize(
    ("up", "down", "percent", "minutes", "level"),
    [
        (86_400, 0, Decimal("100.00"), 0, Level.UP),
        (86_399, 1, Decimal("99.99"), 1, Level.UP),  # one second down: never shown as 100
        (86_400 - 86.4, 86.4, Decimal("99.90"), 2, Level.UP),  # exactly at GOOD
        (86_400 - 87, 87, Decimal("99.89"), 2, Level.DEGRADED),
        (86_400 - 864, 864, Decimal("99.00"), 15, Level.DEGRADED),  # exactly at FAIR
        (86_400 - 865, 865, Decimal("98.99"), 15, Level.DOWN),
        (0, 600, Decimal("0.00"), 10, Level.DOWN),
        (0, 0, None, 0, Level.NO_DATA),
    ],
)
def test_share_level_and_minutes_at_the_thresholds(
    up: float, down: float, percent: Decimal | None, minutes: int, level: Level
) -> None:
    share = DayShare(date(2026, 1, 1), up, down)
    assert share.up_percent == percent
    assert share.down_minutes == minutes
    assert share.level is level


def test_total_percent_weighs_days_by_known_time() -> None:
    shares = [DayShare(date(2026, 1, 1), 3600, 0), DayShare(date(2026, 1, 2), 0, 3600)]
    assert total_percent(shares) == Decimal("50.00")
    assert total_percent([DayShare(date(2026, 1, 1), 0, 0)]) is None


def test_last_days_end_with_the_local_today() -> None:
    # 23:30 UTC on 31 March is already 1 April in Berlin, still 31 March in New York.
    with time_machine.travel(utc(2026, 3, 31, 23, 30), tick=False):
        now = timezone.now()
        assert last_days(now, BERLIN, 2) == [date(2026, 3, 31), date(2026, 4, 1)]
        assert last_days(now, NEW_YORK, 2) == [date(2026, 3, 30), date(2026, 3, 31)]


KINDS = {"ok": UP, "warning": UP, "critical": DOWN}
STALE = timedelta(minutes=3)


@pytest.mark.parametrize(
    ("runs", "expected"),
    [
        # A continuing result holds until the next kept one (the results between were dropped).
        (
            [(utc(2026, 1, 1, 0), "ok", True), (utc(2026, 1, 1, 5), "critical", False)],
            [
                (utc(2026, 1, 1, 0), utc(2026, 1, 1, 5), UP),
                (utc(2026, 1, 1, 5), utc(2026, 1, 1, 5, 3), DOWN),
            ],
        ),
        # A result followed by a gap holds for the staleness only.
        (
            [(utc(2026, 1, 1, 0), "ok", False), (utc(2026, 1, 1, 1), "ok", False)],
            [
                (utc(2026, 1, 1, 0), utc(2026, 1, 1, 0, 3), UP),
                (utc(2026, 1, 1, 1), utc(2026, 1, 1, 1, 3), UP),
            ],
        ),
        # Warning is up and merges with ok; unknown states stay unknown.
        (
            [
                (utc(2026, 1, 1, 0), "ok", True),
                (utc(2026, 1, 1, 1), "warning", True),
                (utc(2026, 1, 1, 2), "unknown", False),
            ],
            [
                (utc(2026, 1, 1, 0), utc(2026, 1, 1, 2), UP),
                (utc(2026, 1, 1, 2), utc(2026, 1, 1, 2, 3), UNKNOWN),
            ],
        ),
    ],
)
def test_intervals_from_kept_results(
    runs: list[tuple[datetime, str, bool]], expected: list[tuple[datetime, datetime, Kind]]
) -> None:
    assert intervals_from_runs(runs, STALE, KINDS) == [Interval(*e) for e in expected]


OP, DEG, DN, MT, UNK = (
    ServiceState.OPERATIONAL,
    ServiceState.DEGRADED,
    ServiceState.DOWN,
    ServiceState.MAINTENANCE,
    ServiceState.UNKNOWN,
)


@pytest.mark.parametrize(
    ("states", "window_now", "expected"),
    [
        ([OP, OP, OP], False, Overall.OPERATIONAL),
        ([], False, Overall.OPERATIONAL),
        ([OP, UNK], False, Overall.OPERATIONAL),
        ([OP, DEG], False, Overall.PARTIAL_OUTAGE),
        ([OP, OP, DN], False, Overall.PARTIAL_OUTAGE),
        ([OP, DN], False, Overall.MAJOR_OUTAGE),  # half of the known services down
        ([DN, UNK, UNK], False, Overall.MAJOR_OUTAGE),
        ([OP, MT], False, Overall.MAINTENANCE),
        ([OP, OP], True, Overall.MAINTENANCE),
        ([MT, DN, OP, OP], True, Overall.PARTIAL_OUTAGE),  # an outage outside the window wins
    ],
)
def test_overall_headline(states: list[ServiceState], window_now: bool, expected: Overall) -> None:
    assert overall(states, window_now) is expected


@pytest.mark.parametrize(
    ("state", "stale", "maintenance", "expected"),
    [
        ("ok", False, False, OP),
        ("warning", False, False, DEG),
        ("critical", False, False, DN),
        ("critical", False, True, MT),
        ("ok", True, False, UNK),
        ("pending", False, False, UNK),
        (None, False, False, UNK),
    ],
)
def test_service_state(
    state: str | None, stale: bool, maintenance: bool, expected: ServiceState
) -> None:
    assert service_state(state, stale, maintenance) is expected
