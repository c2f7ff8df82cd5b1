"""What the reporting app contributes to the obligation engine: reports delivered on time.

``reporting.report_on_time`` for a month P answers "was the service report on the month
before P mailed to the client by the end of the Nth business day of P?" (1 yes, 0 no). The
promise falls due inside P, so P's result is known by the time P closes; a quarter asks it of
each of its three months. Business days are the client's report calendar
(``services.calendars.calendar_for``). Definition: docs/obligations.md, "Reports delivered on
time".
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import timezone

from steward.obligations.choices import Category
from steward.obligations.periods import Period
from steward.obligations.registry import Evidence, MeasureResult, clients_only, measure
from steward.reporting.choices import DeliveryStatus
from steward.reporting.models import MAX_BUSINESS_DAY, ReportDelivery, ReportSchedule
from steward.reporting.scheduling import deadline
from steward.reporting.services.build import first_day
from steward.reporting.services.calendars import calendar_for
from steward.tenancy.models import Client


def _bad_params(params: Mapping[str, Any]) -> str:
    if params["report"] != "monthly":
        return f"report must be 'monthly' (the monthly service report), not {params['report']!r}."
    days = params["business_days"]
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_BUSINESS_DAY:
        return f"business_days must be a whole number from 1 to {MAX_BUSINESS_DAY}, not {days!r}."
    return ""


def _month(client: Client, month: Period, days: int, now: datetime) -> tuple[bool | None, Evidence]:
    """(on time: True / False / None while still due, evidence) for the report on the month
    before ``month``, due by the end of its ``days``-th business day."""
    zone = ZoneInfo(client.timezone)
    schedule = ReportSchedule.objects.filter(client=client).select_related("calendar").first()
    reported = month.previous()
    due = deadline(calendar_for(client, schedule), reported, days, zone)
    first = (
        ReportDelivery.objects.filter(
            client=client, report__period=reported.key, status=DeliveryStatus.SENT
        )
        .select_related("report")
        .order_by("sent_at", "pk")
        .first()
    )
    url = reverse("reporting:client", args=[client.pk])
    due_text = due.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    if first is not None and first.sent_at is not None and first.sent_at <= due:
        sent = first.sent_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        version = first.report.version
        label = f"{reported.label} report v{version} sent {sent} to {first.email}, due {due_text}"
        return True, Evidence(label, url=url, ref=f"reporting.reportdelivery:{first.pk}")
    if now < due:
        return None, Evidence(f"{reported.label} report due by {due_text}, not sent yet", url=url)
    late = (
        f"sent late, {first.sent_at.astimezone(zone):%Y-%m-%d %H:%M}"
        if first is not None and first.sent_at is not None
        else "not sent"
    )
    ref = f"reporting.reportdelivery:{first.pk}" if first is not None else ""
    return False, Evidence(f"{reported.label} report due by {due_text}: {late}", url=url, ref=ref)


@measure(
    key="reporting.report_on_time",
    name="Report delivered by the deadline",
    unit="yes/no",
    category=Category.COMMUNICATION_REPORTING,
    params={"report": "monthly", "business_days": 5},
)
def report_on_time(counterparty: Any, period: Period, params: Mapping[str, Any]) -> MeasureResult:
    """1 when the monthly service report on the previous month was mailed to a contact by the
    end of the ``business_days``-th business day of the month (every month of a quarter);
    0 once a deadline passed without it. A report on a month before the service started
    (onboarding, else the first agreement or ticket) is not owed."""
    if (refusal := clients_only(counterparty)) is not None:
        return refusal
    if problem := _bad_params(params):
        return MeasureResult(None, note=problem)
    now = timezone.now()
    inputs = {"business_days": params["business_days"], "months": [m.key for m in period.months()]}
    start = counterparty.onboarded_on or first_day(counterparty)
    owed = [m for m in period.months() if start is not None and m.previous().end > start]
    if not owed:
        return MeasureResult(
            None, inputs=inputs, note="No report was owed: the service started later."
        )
    outcomes = [_month(counterparty, m, params["business_days"], now) for m in owed]
    evidence = [e for _, e in outcomes]
    if any(ok is False for ok, _ in outcomes):
        return MeasureResult(0, evidence=evidence, inputs=inputs, final=True)
    if all(ok is True for ok, _ in outcomes):
        return MeasureResult(1, evidence=evidence, inputs=inputs, final=True)
    return MeasureResult(
        None, evidence=evidence, inputs=inputs, note="The report is not due yet and not sent."
    )
