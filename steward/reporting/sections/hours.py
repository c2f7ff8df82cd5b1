"""Hours used against the contract: time entries on the client's tickets in the month against
the hours of the statements of work in force (an hour block per quarter or year counts pro rata,
a third or a twelfth per month). Without such hours only the hours used are shown."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db.models import Q

from steward.agreements.choices import HourPeriod
from steward.agreements.models import StatementOfWork
from steward.reporting.sections.registry import ReportContext, SectionData, section
from steward.servicedesk.models import TimeEntry

HOUR = Decimal(3600)
PER_MONTH = {HourPeriod.MONTHLY: 1, HourPeriod.QUARTERLY: 3, HourPeriod.YEARLY: 12}


def monthly_allowance(ctx: ReportContext) -> tuple[Decimal | None, list[str]]:
    """Contract hours for the month from the SOWs in force during it, and their titles."""
    first = ctx.period.start
    last = ctx.period.end - timedelta(days=1)
    sows = StatementOfWork.objects.filter(
        client=ctx.client, start_date__lte=last, hours_per_period__gt=0
    ).filter(Q(end_date__isnull=True) | Q(end_date__gte=first))
    total, titles = Decimal(0), []
    for sow in sows.order_by("start_date", "pk"):
        total += sow.hours_per_period / PER_MONTH.get(sow.hour_period, 1)
        titles.append(sow.title)
    return (total.quantize(Decimal("0.01")) if titles else None), titles


@section(key="hours", title="Hours", order=700, template="reporting/sections/hours.html")
def hours_used(ctx: ReportContext) -> SectionData:
    """Time entries started in the month, billable and not, by work type; the allowance."""
    entries = list(
        TimeEntry.objects.filter(
            client=ctx.client, started_at__gte=ctx.start, started_at__lt=ctx.end
        )
        .select_related("ticket")
        .order_by("started_at", "pk")
    )
    used = sum((Decimal(e.duration_seconds) for e in entries), Decimal(0)) / HOUR
    billable = sum((Decimal(e.duration_seconds) for e in entries if e.billable), Decimal(0)) / HOUR
    allowance, sows = monthly_allowance(ctx)
    used, billable = used.quantize(Decimal("0.01")), billable.quantize(Decimal("0.01"))
    left = (allowance - billable) if allowance is not None else None
    return SectionData(
        data={
            "used": used,
            "billable": billable,
            "allowance": allowance,
            "left": left,
            "sows": sows,
            "entries": len(entries),
        },
        summary=[
            (
                "Hours used",
                f"{used} h" + (f" of {allowance} h in contract" if allowance is not None else ""),
            )
        ],
        rows=[
            {
                "ticket": e.ticket_id,
                "started_at": e.started_at,
                "duration_seconds": e.duration_seconds,
                "work_type": e.work_type,
                "billable": e.billable,
            }
            for e in entries
        ],
    )
