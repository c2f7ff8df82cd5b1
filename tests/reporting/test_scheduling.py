"""When reports are due: the Nth business day at HH:MM in a zone, at exact boundaries (DST
nights, holidays, months starting on a weekend), as pure functions of ``now``."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from steward.core.calendarspec import parse_calendar
from steward.obligations.periods import Period
from steward.reporting.scheduling import (
    deadline,
    is_business_day,
    local_instant,
    next_run,
    nth_business_day,
    reported_month,
    run_instant,
    weekdays,
)
from tests.servicedesk.conftest import BERLIN_OFFICE, NEW_YORK_OFFICE

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
BERLIN_CAL = parse_calendar(BERLIN_OFFICE)
NEW_YORK_CAL = parse_calendar(NEW_YORK_OFFICE)
EVERY_DAY = parse_calendar({"name": "every day", "timezone": "America/New_York", "hours": "24x7"})


@pytest.mark.parametrize(
    ("year", "month", "n", "expected"),
    [
        (2026, 11, 1, date(2026, 11, 2)),  # November 2026 starts on a Sunday
        (2026, 8, 1, date(2026, 8, 3)),  # August 2026 starts on a Saturday
        (2027, 1, 1, date(2027, 1, 4)),  # New Year (Friday) is a holiday
        (2026, 5, 1, date(2026, 5, 4)),  # Labour Day (Friday) is a holiday
        (2026, 10, 3, date(2026, 10, 5)),  # 1, 2 October, then the weekend (3rd: Unity Day)
        (2026, 12, 19, date(2026, 12, 28)),  # 24th, then Christmas Day and the weekend
        (2027, 3, 6, date(2027, 3, 9)),  # Women's Day (Monday 8th): a holiday in Berlin only
    ],
)
def test_nth_business_day_in_berlin(year: int, month: int, n: int, expected: date) -> None:
    assert nth_business_day(BERLIN_CAL, year, month, n) == expected


def test_a_month_with_fewer_business_days_is_an_error_naming_the_field() -> None:
    with pytest.raises(ValueError, match="business_day"):
        nth_business_day(BERLIN_CAL, 2026, 2, 21)
    # ...and a schedule then sends on the month's last business day.
    assert run_instant(BERLIN_CAL, Period.month(2026, 2), 21, time(8), BERLIN) == datetime(
        2026, 2, 27, 7, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("day", "at", "zone", "expected"),
    [
        # Spring forward in Berlin, 2026-03-29 02:00 -> 03:00: 02:30 does not exist; the end
        # of the gap (03:00 CEST) is 01:00 UTC.
        (date(2026, 3, 29), time(2, 30), BERLIN, datetime(2026, 3, 29, 1, 0, tzinfo=UTC)),
        (date(2026, 3, 29), time(1, 59), BERLIN, datetime(2026, 3, 29, 0, 59, tzinfo=UTC)),
        (date(2026, 3, 29), time(3, 0), BERLIN, datetime(2026, 3, 29, 1, 0, tzinfo=UTC)),
        # Fall back, 2026-10-25 03:00 -> 02:00: 02:30 happens twice; the first is CEST.
        (date(2026, 10, 25), time(2, 30), BERLIN, datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),
        (date(2026, 10, 25), time(3, 0), BERLIN, datetime(2026, 10, 25, 2, 0, tzinfo=UTC)),
        # New York springs forward on 2026-03-08 at 02:00 to 03:00 EDT (07:00 UTC).
        (date(2026, 3, 8), time(2, 30), NEW_YORK, datetime(2026, 3, 8, 7, 0, tzinfo=UTC)),
    ],
)
def test_local_instant_across_dst(day: date, at: time, zone: ZoneInfo, expected: datetime) -> None:
    assert local_instant(day, at, zone) == expected


def test_a_send_on_the_fall_back_night_runs_once_at_the_first_occurrence() -> None:
    # 1 November 2026 (Sunday) is New York's fall-back day: 01:30 happens at 05:30 and 06:30 UTC.
    month = Period.month(2026, 11)
    assert run_instant(EVERY_DAY, month, 1, time(1, 30), NEW_YORK) == datetime(
        2026, 11, 1, 5, 30, tzinfo=UTC
    )


# 3rd business day of November 2026 in Berlin: Wed 4 November, 08:00 CET = 07:00 UTC.
SLOT = datetime(2026, 11, 4, 7, 0, tzinfo=UTC)
NEXT_SLOT = datetime(2026, 12, 3, 7, 0, tzinfo=UTC)  # 1, 2, 3 December


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (SLOT - timedelta(microseconds=1), SLOT),
        (SLOT, NEXT_SLOT),  # strictly after now: a slot that has come is not next
        (datetime(2026, 10, 31, 23, 0, tzinfo=UTC), SLOT),  # midnight in Berlin, month starts
        (datetime(2026, 10, 31, 22, 59, tzinfo=UTC), SLOT),  # still October in Berlin
    ],
)
def test_next_run_at_exact_boundaries(now: datetime, expected: datetime) -> None:
    with time_machine.travel(now, tick=False):
        assert next_run(BERLIN_CAL, 3, time(8), BERLIN, timezone.now()) == expected


def test_a_run_reports_on_the_month_before_its_own() -> None:
    assert reported_month(SLOT, BERLIN) == Period.month(2026, 10)
    # 00:30 on 1 December in Berlin is still 30 November in UTC: the zone decides.
    assert reported_month(datetime(2026, 11, 30, 23, 30, tzinfo=UTC), BERLIN).key == "2026-11"


@pytest.mark.parametrize(
    ("period", "days", "calendar", "zone", "expected"),
    [
        # October's report, 5 business days: 2-6 November; due at midnight ending Friday 6th.
        ("2026-10", 5, BERLIN_CAL, BERLIN, datetime(2026, 11, 6, 23, 0, tzinfo=UTC)),
        # December's report: 1 January is a holiday; 4-8 January 2027.
        ("2026-12", 5, BERLIN_CAL, BERLIN, datetime(2027, 1, 8, 23, 0, tzinfo=UTC)),
        # February's report, in New York: 2-6 March 2026, midnight EST (DST starts the 8th).
        ("2026-02", 5, NEW_YORK_CAL, NEW_YORK, datetime(2026, 3, 7, 5, 0, tzinfo=UTC)),
        # March's report in Berlin: 1-7 April but Good Friday (3rd) and Easter Monday (6th).
        ("2026-03", 3, BERLIN_CAL, BERLIN, datetime(2026, 4, 7, 22, 0, tzinfo=UTC)),
    ],
)
def test_deadline(
    period: str, days: int, calendar: object, zone: ZoneInfo, expected: datetime
) -> None:
    assert deadline(calendar, Period.parse(period), days, zone) == expected  # type: ignore[arg-type]


MONTHS = st.builds(Period.month, st.integers(2000, 2100), st.integers(1, 12))


@given(MONTHS, st.integers(1, 20))
def test_the_nth_business_day_is_a_business_day_of_the_month(month: Period, n: int) -> None:
    spec = weekdays("Europe/Berlin")
    day = nth_business_day(spec, month.year, month.index, n)
    assert (day.year, day.month) == (month.year, month.index)
    assert is_business_day(spec, day)
    earlier = [d for d in range(1, day.day) if is_business_day(spec, date(day.year, day.month, d))]
    assert len(earlier) == n - 1


@given(
    st.datetimes(
        min_value=datetime(2000, 1, 1),  # noqa: DTZ001 (hypothesis wants naive bounds)
        max_value=datetime(2100, 1, 1),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
    st.integers(1, 20),
    st.times(),
    st.sampled_from(["Europe/Berlin", "America/New_York", "Australia/Sydney", "UTC"]),
)
def test_next_run_is_after_now_and_at_the_wall_time(
    now: datetime, n: int, at: time, zone_name: str
) -> None:
    zone = ZoneInfo(zone_name)
    spec = weekdays(zone_name)
    found = next_run(spec, n, at, zone, now)
    assert now < found <= now + timedelta(days=62)
    local = found.astimezone(zone)
    assert is_business_day(spec, local.date())
    if local_instant(local.date(), at, zone).astimezone(zone).time() == at.replace(
        microsecond=at.microsecond
    ):
        assert local.time() == at  # not in a DST gap: exactly the wall time asked for
