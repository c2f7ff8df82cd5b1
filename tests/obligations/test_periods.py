from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from steward.obligations.choices import PeriodKind
from steward.obligations.periods import Period, PeriodError


@pytest.mark.parametrize(
    ("text", "kind", "start", "end"),
    [
        ("2026-10", PeriodKind.MONTHLY, date(2026, 10, 1), date(2026, 11, 1)),
        ("2026-12", PeriodKind.MONTHLY, date(2026, 12, 1), date(2027, 1, 1)),
        ("2024-02", PeriodKind.MONTHLY, date(2024, 2, 1), date(2024, 3, 1)),
        ("2026-Q4", PeriodKind.QUARTERLY, date(2026, 10, 1), date(2027, 1, 1)),
        ("2026-q1", PeriodKind.QUARTERLY, date(2026, 1, 1), date(2026, 4, 1)),
    ],
)
def test_parse_and_bounds(text, kind, start, end):
    period = Period.parse(text)
    assert period.kind == kind
    assert (period.start, period.end) == (start, end)
    assert Period.parse(period.key) == period


@pytest.mark.parametrize(
    "text", ["2026-13", "2026-00", "2026-Q5", "2026-Q0", "26-10", "", "x", "2026-1"]
)
def test_bad_periods_are_refused_with_the_expected_forms(text):
    with pytest.raises(PeriodError, match=r"YYYY-MM|no monthly|no quarterly"):
        Period.parse(text)


def test_previous_and_next_cross_year_boundaries():
    assert Period.parse("2026-01").previous() == Period.parse("2025-12")
    assert Period.parse("2025-12").next() == Period.parse("2026-01")
    assert Period.parse("2026-Q1").previous() == Period.parse("2025-Q4")
    assert Period.parse("2025-Q4").next() == Period.parse("2026-Q1")
    assert [p.key for p in Period.parse("2026-02").last(3)] == ["2025-12", "2026-01", "2026-02"]


def test_containing_and_kind_mapping():
    assert Period.containing(date(2026, 10, 31)).key == "2026-10"
    assert Period.containing(date(2026, 9, 30), PeriodKind.QUARTERLY).key == "2026-Q3"
    assert Period.containing(date(2026, 10, 1), PeriodKind.QUARTERLY).key == "2026-Q4"
    assert Period.parse("2026-11").as_kind(PeriodKind.QUARTERLY).key == "2026-Q4"
    assert Period.parse("2026-Q4").as_kind(PeriodKind.MONTHLY).key == "2026-12"
    assert [m.key for m in Period.parse("2026-Q4").months()] == ["2026-10", "2026-11", "2026-12"]


def test_bounds_follow_the_clients_zone_across_dst():
    # October 2026 in Berlin starts at CEST (+02) and ends at CET (+01): 31 days and one hour.
    start, end = Period.parse("2026-10").bounds("Europe/Berlin")
    assert start == datetime(2026, 9, 30, 22, tzinfo=UTC)
    assert end == datetime(2026, 10, 31, 23, tzinfo=UTC)
    assert end - start == timedelta(days=31, hours=1)
    # March 2026 in New York loses an hour (DST starts 8 March).
    start, end = Period.parse("2026-03").bounds("America/New_York")
    assert end - start == timedelta(days=31) - timedelta(hours=1)


def test_closed_exactly_at_local_midnight():
    october = Period.parse("2026-10")
    end = datetime(2026, 10, 31, 23, tzinfo=UTC)  # midnight 1 November in Berlin
    assert not october.is_closed(end - timedelta(microseconds=1), "Europe/Berlin")
    assert october.is_closed(end, "Europe/Berlin")
    # Still October in New York at that instant.
    assert not october.is_closed(end, "America/New_York")


def test_at_sees_the_instant_in_the_clients_zone():
    instant = datetime(2026, 10, 31, 23, 30, tzinfo=UTC)
    assert Period.at(instant, "Europe/Berlin").key == "2026-11"
    assert Period.at(instant, "UTC").key == "2026-10"
    assert Period.at(instant, "Europe/Berlin", PeriodKind.QUARTERLY).key == "2026-Q4"


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(9000, 12, 31)))
def test_every_day_is_in_exactly_its_containing_period(day):
    for kind in PeriodKind.values:
        period = Period.containing(day, kind)
        assert period.contains(day)
        assert not period.previous().contains(day)
        assert not period.next().contains(day)
        assert period.next().start == period.end


@given(st.integers(1900, 9000), st.integers(1, 12), st.integers(-500, 500))
def test_shift_round_trips_through_keys(year, month, steps):
    period = Period.month(year, month).shift(steps)
    assert Period.parse(period.key) == period
    assert period.shift(-steps) == Period.month(year, month)


@given(st.text(max_size=12) | st.from_regex(r"[0-9]{4}-[Qq]?[0-9]{1,2}", fullmatch=True))
def test_parse_accepts_a_key_or_raises_period_error_only(text):
    try:
        period = Period.parse(text)
    except PeriodError as exc:
        assert "period" in str(exc)  # noqa: PT017
    else:
        assert period.key == text.strip().upper()
