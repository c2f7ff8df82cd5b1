"""Building a service report: every registered section, for one client and month."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db.models import Min
from django.utils import timezone

from steward.agreements.models import Agreement
from steward.core.branding import Branding, branding
from steward.obligations.choices import PeriodKind
from steward.obligations.periods import Period, PeriodError
from steward.reporting.sections import BuiltSection, ReportContext, sections
from steward.servicedesk.models import Ticket
from steward.tenancy.models import Client


class ReportError(ValueError):
    """A report that cannot be built as asked (bad period, period not complete…)."""


@dataclass
class ServiceReport:
    """One client's service report for one month, ready to render."""

    client: Client
    period: Period
    generated_at: datetime
    zone: ZoneInfo
    brand: Branding
    sections: list[BuiltSection]

    @property
    def title(self) -> str:
        return f"Service report {self.period.label}"

    @property
    def filename_stem(self) -> str:
        slug = self.client.code or f"client-{self.client.pk}"
        return f"service-report-{slug}-{self.period.key}"

    def section(self, key: str) -> BuiltSection | None:
        return next((s for s in self.sections if s.key == key), None)

    @property
    def summary(self) -> list[tuple[str, str]]:
        return [item for s in self.sections for item in s.result.summary]


def parse_month(text: str) -> Period:
    """A month key "YYYY-MM"; anything else (a quarter too) raises ReportError naming it."""
    try:
        period = Period.parse(str(text))
    except PeriodError as exc:
        raise ReportError(f"period: {exc}") from None
    if period.kind != PeriodKind.MONTHLY:
        raise ReportError(
            f"period: {text!r} is a quarter; a service report covers a month (YYYY-MM)"
        )
    return period


def first_day(client: Client) -> date | None:
    """The first day the client has anything to report on: its first agreement or ticket."""
    zone = ZoneInfo(client.timezone)
    days: list[date] = []
    agreement = Agreement.objects.filter(client=client).aggregate(first=Min("start_date"))["first"]
    if agreement is not None:
        days.append(agreement)
    ticket = Ticket.objects.filter(client=client).aggregate(first=Min("created_at"))["first"]
    if ticket is not None:
        days.append(ticket.astimezone(zone).date())
    if client.onboarded_on is not None:
        days.append(client.onboarded_on)
    return min(days) if days else None


def available_periods(client: Client, now: datetime) -> list[str]:
    """Months ("YYYY-MM", newest first) from the client's first agreement or data to the last
    complete month in the client's time zone; empty when there is nothing yet."""
    first = first_day(client)
    if first is None:
        return []
    last = Period.at(now, client.timezone).previous()
    month = Period.containing(first)
    keys: list[str] = []
    while month <= last:
        keys.append(month.key)
        month = month.next()
    return keys[::-1]


def build_service_report(
    client: Client, period: str, *, now: datetime | None = None
) -> ServiceReport:
    """Compute every registered section for ``client`` and the month ``period`` (its bounds
    are local midnights in the client's time zone). A month not yet over is reported so far."""
    now = now or timezone.now()
    month = parse_month(period)
    zone = ZoneInfo(client.timezone)
    start, end = month.bounds(zone)
    ctx = ReportContext(client, month, start, end, zone, now)
    built = [BuiltSection(s.key, s.title, s.template, s.fn(ctx)) for s in sections()]
    return ServiceReport(client, month, now, zone, branding(), built)
