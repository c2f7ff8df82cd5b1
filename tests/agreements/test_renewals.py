"""Renewal and notice date math: pure functions of the terms and ``today``, at the boundaries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from steward.agreements.renewals import (
    Terms,
    boundary,
    due_threshold,
    term_dates,
    upcoming_notice_deadline,
)


def test_first_term_of_a_yearly_agreement() -> None:
    terms = Terms(date(2025, 1, 1), 12, auto_renew=True, notice_days=90)
    dates = term_dates(terms, date(2025, 6, 1))
    assert (dates.term_number, dates.term_start, dates.term_end) == (
        1,
        date(2025, 1, 1),
        date(2025, 12, 31),
    )
    assert dates.renewal_date == date(2026, 1, 1)
    assert dates.notice_deadline == date(2025, 10, 2)  # 31 Dec minus 90 days


def test_the_term_rolls_over_exactly_on_the_renewal_date() -> None:
    terms = Terms(date(2025, 1, 1), 12, auto_renew=True, notice_days=30)
    assert term_dates(terms, date(2025, 12, 31)).term_number == 1
    rolled = term_dates(terms, date(2026, 1, 1))
    assert (rolled.term_number, rolled.term_start, rolled.term_end) == (
        2,
        date(2026, 1, 1),
        date(2026, 12, 31),
    )
    assert rolled.renewal_date == date(2027, 1, 1)


def test_before_the_start_the_first_term_applies() -> None:
    terms = Terms(date(2026, 3, 1), 24, auto_renew=True, notice_days=60)
    dates = term_dates(terms, date(2025, 1, 1))
    assert dates.term_end == date(2028, 2, 29)  # 2028 is a leap year
    assert dates.notice_deadline == date(2027, 12, 31)


def test_month_end_start_clamps_without_drifting() -> None:
    # 31 January + k months, each from the start: 29 Feb (leap), 31 Mar, 30 Apr, 31 May.
    start = date(2024, 1, 31)
    assert [boundary(start, 1, k) for k in range(1, 5)] == [
        date(2024, 2, 29),
        date(2024, 3, 31),
        date(2024, 4, 30),
        date(2024, 5, 31),
    ]
    terms = Terms(start, 1, auto_renew=True, notice_days=0)
    assert term_dates(terms, date(2024, 2, 28)).term_end == date(2024, 2, 28)
    march = term_dates(terms, date(2024, 3, 15))
    assert (march.term_start, march.term_end) == (date(2024, 2, 29), date(2024, 3, 30))


def test_leap_day_start_renews_on_28_february_in_common_years() -> None:
    terms = Terms(date(2024, 2, 29), 12, auto_renew=True, notice_days=30)
    first = term_dates(terms, date(2024, 3, 1))
    assert first.term_end == date(2025, 2, 27)
    assert first.renewal_date == date(2025, 2, 28)
    fourth = term_dates(terms, date(2028, 2, 29))
    assert fourth.term_start == date(2028, 2, 29)  # back on the leap day, no drift


def test_notice_deadline_crosses_a_leap_february() -> None:
    terms = Terms(date(2023, 3, 1), 12, auto_renew=True, notice_days=1)
    assert term_dates(terms, date(2023, 5, 1)).notice_deadline == date(2024, 2, 28)
    terms = Terms(date(2023, 3, 1), 12, auto_renew=True, notice_days=0)
    assert term_dates(terms, date(2023, 5, 1)).notice_deadline == date(2024, 2, 29)


def test_without_auto_renewal_there_is_one_term_and_it_expires() -> None:
    terms = Terms(date(2025, 1, 1), 12, auto_renew=False, notice_days=90)
    during = term_dates(terms, date(2025, 12, 31))
    assert (during.renewal_date, during.notice_deadline, during.expired) == (None, None, False)
    after = term_dates(terms, date(2026, 1, 1))
    assert (after.term_number, after.term_end, after.expired) == (1, date(2025, 12, 31), True)
    assert upcoming_notice_deadline(terms, date(2025, 6, 1)) is None


def test_upcoming_deadline_moves_to_the_next_term_the_day_after_it_passes() -> None:
    terms = Terms(date(2025, 1, 1), 12, auto_renew=True, notice_days=90)
    assert upcoming_notice_deadline(terms, date(2025, 10, 2)) == date(2025, 10, 2)
    assert upcoming_notice_deadline(terms, date(2025, 10, 3)) == date(2026, 10, 2)


def test_thresholds_at_their_exact_days() -> None:
    deadline = date(2026, 3, 31)
    day = lambda n: deadline - timedelta(days=n)  # noqa: E731
    got = {n: due_threshold(deadline, day(n), (90, 60, 30)) for n in (91, 90, 61, 60, 31, 30, 0)}
    assert got == {91: None, 90: 90, 61: 90, 60: 60, 31: 60, 30: 30, 0: 30}
    assert due_threshold(deadline, deadline + timedelta(days=1), (90, 60, 30)) is None


def test_a_zero_month_term_is_refused() -> None:
    with pytest.raises(ValueError, match="term_months"):
        term_dates(Terms(date(2025, 1, 1), 0, True, 0), date(2025, 1, 1))


@given(
    start=st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)),
    months=st.integers(min_value=1, max_value=60),
    offset=st.integers(min_value=0, max_value=20_000),
)
def test_today_always_falls_inside_the_current_term(start: date, months: int, offset: int) -> None:
    today = start + timedelta(days=offset)
    dates = term_dates(Terms(start, months, auto_renew=True, notice_days=30), today)
    assert dates.term_start <= today <= dates.term_end
    assert dates.renewal_date == dates.term_end + timedelta(days=1)
    assert dates.term_start == boundary(start, months, dates.term_number - 1)
