"""Renewal and notice dates of a term agreement: pure functions of the terms and ``today``.

Conventions (docs/agreements.md, "Renewal dates"):

- Term boundaries are counted from the original start date, ``start + k * term`` months, so
  month-end clamping never drifts: a term that starts on 31 January with a one-month term has
  boundaries 28/29 February, 31 March, 30 April, 31 May … (``dateutil.relativedelta`` clamps
  to the last day of a short month, and each boundary is computed from the start, not from the
  previous boundary).
- A term runs from one boundary up to the day before the next: ``term_end`` is its last day and
  the renewal date is the next boundary (the first day of the next term).
- The notice deadline is ``term_end - notice_days``: the last day on which notice not to renew
  can still be given.
- Without auto-renewal there is one term only; it has no renewal date and no notice deadline,
  and after it ends the dates stay in the past (the agreement has expired).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Terms:
    """What the date math needs from an agreement."""

    start: date
    term_months: int
    auto_renew: bool
    notice_days: int


@dataclass(frozen=True)
class TermDates:
    """The dates of the term that ``today`` falls in (or the first term, before it starts)."""

    term_number: int
    term_start: date
    term_end: date
    renewal_date: date | None
    notice_deadline: date | None
    expired: bool


def boundary(start: date, term_months: int, k: int) -> date:
    """The first day of term ``k + 1`` (``k = 0`` is the start itself)."""
    return start + relativedelta(months=term_months * k)


def _term_index(terms: Terms, today: date) -> int:
    """The 1-based number of the term containing ``today`` (1 before the start)."""
    if today < terms.start:
        return 1
    # A first guess from whole months elapsed, corrected by at most a step either way.
    months = (today.year - terms.start.year) * 12 + today.month - terms.start.month
    k = max(1, months // terms.term_months)
    while k > 1 and boundary(terms.start, terms.term_months, k - 1) > today:
        k -= 1
    while boundary(terms.start, terms.term_months, k) <= today:
        k += 1
    return k


def term_dates(terms: Terms, today: date) -> TermDates:
    """The current term's start, end, renewal date and notice deadline as of ``today``."""
    if terms.term_months < 1:
        raise ValueError("term_months must be at least 1")
    k = _term_index(terms, today) if terms.auto_renew else 1
    start = boundary(terms.start, terms.term_months, k - 1)
    following = boundary(terms.start, terms.term_months, k)
    end = following - ONE_DAY
    if not terms.auto_renew:
        return TermDates(1, start, end, None, None, expired=today > end)
    notice = end - timedelta(days=terms.notice_days)
    return TermDates(k, start, end, following, notice, expired=False)


def upcoming_notice_deadline(terms: Terms, today: date) -> date | None:
    """The first notice deadline on or after ``today``: this term's, or once that has passed,
    the next term's. None without auto-renewal."""
    if not terms.auto_renew:
        return None
    current = term_dates(terms, today)
    assert current.notice_deadline is not None
    if current.notice_deadline >= today:
        return current.notice_deadline
    upcoming = term_dates(terms, current.term_end + ONE_DAY)
    return upcoming.notice_deadline


def due_threshold(deadline: date, today: date, thresholds: tuple[int, ...]) -> int | None:
    """The most urgent threshold (days before ``deadline``) that ``today`` has reached, or None
    when none has, or the deadline has passed. With thresholds (90, 60, 30): 90 from the 90th
    day before until the 61st, 60 from the 60th until the 31st, then 30 until the day itself."""
    days_left = (deadline - today).days
    if days_left < 0:
        return None
    reached = [t for t in thresholds if days_left <= t]
    return min(reached) if reached else None
