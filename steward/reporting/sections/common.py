"""What report sections share: month windows for trends, durations and local times."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from steward.obligations.periods import Period
from steward.reporting.sections.registry import ReportContext

TREND_MONTHS = 12


def trend_months(ctx: ReportContext, count: int = TREND_MONTHS) -> list[Period]:
    """The ``count`` months ending with the report's month, oldest first."""
    return ctx.period.last(count)


def month_bounds(ctx: ReportContext, month: Period) -> tuple[datetime, datetime]:
    return month.bounds(ctx.zone)


def hours(seconds: float | int | str | None) -> str:
    """Seconds as "3 h 05 min" ("-" when unknown)."""
    if seconds is None or seconds == "":
        return "-"
    minutes = int(seconds) // 60
    return f"{minutes // 60} h {minutes % 60:02d} min"


def pct(value: Decimal | float | str | None, places: int = 1) -> str:
    """A percentage as "99.5 %" ("-" when unknown; templates pass "" for a missing value)."""
    if value is None or value == "":
        return "-"
    return f"{float(value):.{places}f} %"


def local(ctx: ReportContext, instant: datetime | None) -> str:
    """An instant as local wall time in the client's zone, e.g. "2026-10-05 14:03"."""
    if instant is None:
        return "-"
    return instant.astimezone(ctx.zone).strftime("%Y-%m-%d %H:%M")


def until_now(ctx: ReportContext) -> datetime:
    """The report's end, cut at now while the month runs."""
    return min(ctx.end, ctx.now)
