"""How tickets flow: the backlog's age, reopens and first-contact resolution."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone

from steward.obligations.choices import Category
from steward.obligations.periods import Period
from steward.obligations.registry import Evidence, MeasureResult, clients_only, measure
from steward.servicedesk import stats
from steward.servicedesk.measures.common import (
    EVIDENCE_LIMIT,
    bounds,
    capped,
    first_row,
    ticket_evidence,
)

# --- Backlog -------------------------------------------------------------------------------------


@measure(
    key="servicedesk.backlog_age",
    name="Open tickets older than a number of days",
    unit="tickets",
    category=Category.SERVICE_DELIVERY,
    params={"days": 30},
)
def backlog_age(counterparty: Any, period: Period, params: Mapping[str, Any]) -> MeasureResult:
    """How many of the client's tickets open at the end of the period (now, while it runs)
    had been open longer than ``days`` days; the inputs hold the whole age distribution."""
    if (refusal := clients_only(counterparty)) is not None:
        return refusal
    days = params["days"]
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        return MeasureResult(None, note=f"days must be a whole number of days, not {days!r}.")
    _, end = bounds(counterparty, period)
    at = min(end, timezone.now())
    if not stats.counted_tickets([counterparty]).filter(created_at__lt=at).exists():
        return MeasureResult(None, note="The client had no tickets by then.")
    rows = stats.backlog_age(at, [counterparty])
    row = rows[0] if rows else stats.BacklogRow(counterparty.pk, 0, {}, None)
    old = stats.open_at(at, [counterparty]).filter(created_at__lte=at - timedelta(days=days))
    count = old.count()
    evidence, more = capped(
        (
            ticket_evidence(t, f"open {(at - t.created_at).days} days, {t.get_status_display()}")
            for t in old.order_by("created_at", "pk")[:EVIDENCE_LIMIT]
        ),
        count,
    )
    return MeasureResult(
        count,
        evidence=evidence,
        inputs={
            "at": at.isoformat(),
            "days": days,
            "open": row.open,
            "by_age": row.buckets,
        },
        note=more,
    )


# --- Reopens and first-contact resolution --------------------------------------------------------


def _rate(
    row: stats.RateRow | None, period: Period, evidence: list[Evidence], listed_of: int
) -> MeasureResult:
    """A percentage of tickets opened and resolved; ``evidence`` lists up to
    ``EVIDENCE_LIMIT`` of the ``listed_of`` tickets it draws from."""
    if row is None or not row.whole:
        return MeasureResult(None, note=f"No tickets opened in {period.label} are resolved yet.")
    shown, more = capped(evidence, listed_of)
    return MeasureResult(
        row.percent, evidence=shown, inputs={"part": row.part, "whole": row.whole}, note=more
    )


@measure(
    key="servicedesk.reopen_rate",
    name="Resolved tickets reopened",
    unit="%",
    category=Category.SERVICE_DELIVERY,
)
def reopen_rate(counterparty: Any, period: Period, params: Mapping[str, Any]) -> MeasureResult:
    """Share of the tickets opened in the period and resolved at least once that were
    reopened (by the client's reply or by staff) at least once."""
    if (refusal := clients_only(counterparty)) is not None:
        return refusal
    start, end = bounds(counterparty, period)
    row = first_row(stats.reopen_rate(start, end, [counterparty]))
    reopened = stats.created_in(start, end, [counterparty]).filter(reopen_count__gt=0)
    evidence = [
        ticket_evidence(t, f"reopened {t.reopen_count}x")
        for t in reopened.order_by("created_at", "pk")[:EVIDENCE_LIMIT]
    ]
    return _rate(row, period, evidence, row.part if row else 0)


@measure(
    key="servicedesk.first_contact_resolution",
    name="Tickets resolved at first contact",
    unit="%",
    category=Category.SERVICE_DELIVERY,
)
def first_contact_resolution(
    counterparty: Any, period: Period, params: Mapping[str, Any]
) -> MeasureResult:
    """Share of the tickets opened in the period and resolved now that were resolved at first
    contact: never reopened, with at most one public reply from staff."""
    if (refusal := clients_only(counterparty)) is not None:
        return refusal
    start, end = bounds(counterparty, period)
    row = first_row(stats.first_contact_resolution(start, end, [counterparty]))
    resolved = (
        stats.created_in(start, end, [counterparty])
        .filter(status__in=stats.DONE)
        .annotate(staff_replies=stats.staff_reply_count())
        .annotate(
            first=Case(
                When(stats.first_contact_q(), then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
    )
    evidence = [
        ticket_evidence(t, _contact_detail(t))
        for t in resolved.order_by("first", "created_at", "pk")[:EVIDENCE_LIMIT]
    ]
    return _rate(row, period, evidence, row.whole if row else 0)


def _contact_detail(ticket: Any) -> str:
    replies = f"{ticket.staff_replies} staff repl{'y' if ticket.staff_replies == 1 else 'ies'}"
    if ticket.first:
        return f"resolved at first contact ({replies})"
    reopened = f", reopened {ticket.reopen_count}x" if ticket.reopen_count else ""
    return f"not at first contact: {replies}{reopened}"
