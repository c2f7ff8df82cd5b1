"""Reporting periods: a month ("2026-10") or a quarter ("2026-Q4").

A pure value type. Bounds are half-open: ``start`` is the first day, ``end`` the first day of the
next period, so an instant belongs to exactly one period. ``bounds(tz)`` gives the same range as
aware instants at local midnight in the client's time zone (the DST-correct way: a month in
Berlin that contains the October change is one hour longer than 31 days of 24 h).
"""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, tzinfo

from steward.obligations.choices import PeriodKind

_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
_QUARTER = re.compile(r"([0-9]{4})-[Qq]([1-4])")


class PeriodError(ValueError):
    """A period key that is neither YYYY-MM nor YYYY-Qn."""


def _zone(tz: str | tzinfo) -> tzinfo:
    return zoneinfo.ZoneInfo(tz) if isinstance(tz, str) else tz


@dataclass(frozen=True, order=True)
class Period:
    """A calendar month (index 1-12) or quarter (index 1-4) of ``year``."""

    kind: str
    year: int
    index: int

    def __post_init__(self) -> None:
        top = 12 if self.kind == PeriodKind.MONTHLY else 4
        if self.kind not in PeriodKind.values or not 1 <= self.index <= top:
            raise PeriodError(f"no {self.kind} period {self.index} in a year")
        if not 1 <= self.year <= 9998:
            raise PeriodError(f"year {self.year} is out of range")

    # --- Construction ---------------------------------------------------------------------------

    @classmethod
    def parse(cls, text: str) -> Period:
        """``2026-10`` is October 2026, ``2026-Q4`` its quarter; anything else: PeriodError."""
        text = text.strip()
        try:
            if m := _MONTH.fullmatch(text):
                return cls(PeriodKind.MONTHLY, int(m[1]), int(m[2]))
            if m := _QUARTER.fullmatch(text):
                return cls(PeriodKind.QUARTERLY, int(m[1]), int(m[2]))
        except PeriodError as exc:
            raise PeriodError(f"{text!r} is not a period: {exc}") from None
        raise PeriodError(f"{text!r} is not a period: use YYYY-MM (2026-10) or YYYY-Qn (2026-Q4)")

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls(PeriodKind.MONTHLY, year, month)

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        return cls(PeriodKind.QUARTERLY, year, quarter)

    @classmethod
    def containing(cls, day: date, kind: str = PeriodKind.MONTHLY) -> Period:
        """The period of ``kind`` that ``day`` falls in."""
        if kind == PeriodKind.QUARTERLY:
            return cls.quarter(day.year, (day.month - 1) // 3 + 1)
        return cls.month(day.year, day.month)

    @classmethod
    def at(cls, instant: datetime, tz: str | tzinfo, kind: str = PeriodKind.MONTHLY) -> Period:
        """The period of ``kind`` in which the aware ``instant`` falls, seen from ``tz``."""
        return cls.containing(instant.astimezone(_zone(tz)).date(), kind)

    # --- Shape ----------------------------------------------------------------------------------

    @property
    def key(self) -> str:
        if self.kind == PeriodKind.QUARTERLY:
            return f"{self.year:04d}-Q{self.index}"
        return f"{self.year:04d}-{self.index:02d}"

    def __str__(self) -> str:
        return self.key

    @property
    def label(self) -> str:
        if self.kind == PeriodKind.QUARTERLY:
            return f"Q{self.index} {self.year}"
        return self.start.strftime("%B %Y")

    @property
    def _months(self) -> int:
        return 3 if self.kind == PeriodKind.QUARTERLY else 1

    @property
    def start(self) -> date:
        """The first day of the period."""
        first_month = (self.index - 1) * 3 + 1 if self.kind == PeriodKind.QUARTERLY else self.index
        return date(self.year, first_month, 1)

    @property
    def end(self) -> date:
        """The first day after the period (exclusive end)."""
        return self.next().start

    def contains(self, day: date) -> bool:
        return self.start <= day < self.end

    def bounds(self, tz: str | tzinfo) -> tuple[datetime, datetime]:
        """[start, end) as aware UTC instants: local midnight at both ends in ``tz``."""
        zone = _zone(tz)
        start = datetime.combine(self.start, time(0), tzinfo=zone)
        end = datetime.combine(self.end, time(0), tzinfo=zone)
        return start.astimezone(UTC), end.astimezone(UTC)

    def is_closed(self, now: datetime, tz: str | tzinfo) -> bool:
        """True once the period has ended in ``tz`` (its results can no longer change)."""
        return now >= self.bounds(tz)[1]

    # --- Navigation -----------------------------------------------------------------------------

    def shift(self, steps: int) -> Period:
        """The period ``steps`` periods later (negative: earlier)."""
        per_year = 4 if self.kind == PeriodKind.QUARTERLY else 12
        ordinal = self.year * per_year + (self.index - 1) + steps
        return Period(self.kind, ordinal // per_year, ordinal % per_year + 1)

    def next(self) -> Period:
        return self.shift(1)

    def previous(self) -> Period:
        return self.shift(-1)

    def last(self, count: int) -> list[Period]:
        """``count`` periods ending with this one, oldest first."""
        return [self.shift(-n) for n in range(count - 1, -1, -1)]

    def months(self) -> list[Period]:
        """The months in this period (itself for a month)."""
        first = Period.containing(self.start)
        return [first.shift(n) for n in range(self._months)]

    def as_kind(self, kind: str) -> Period:
        """The period of ``kind`` matching this one: a month's quarter, or a quarter's last month.

        A quarter maps to its last month because that is the month in which the quarter's
        results are complete.
        """
        if kind == self.kind:
            return self
        if kind == PeriodKind.QUARTERLY:
            return Period.containing(self.start, PeriodKind.QUARTERLY)
        return self.months()[-1]
