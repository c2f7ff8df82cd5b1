"""Tickets of the month by kind and priority (service-desk statistics, not recomputed)."""

from __future__ import annotations

from collections import Counter

from steward.reporting.sections.registry import ReportContext, SectionData, section
from steward.servicedesk import stats
from steward.servicedesk.choices import Priority, TicketKind


@section(key="tickets", title="Tickets", order=100, template="reporting/sections/tickets.html")
def tickets(ctx: ReportContext) -> SectionData:
    """Tickets opened in the period, counted by kind and by priority, and resolved in it."""
    opened = list(
        stats.created_in(ctx.start, ctx.end, [ctx.client])
        .order_by("created_at", "pk")
        .values(
            "pk",
            "subject",
            "kind",
            "priority",
            "status",
            "created_at",
            "responded_at",
            "resolved_at",
            "response_due_at",
            "resolution_due_at",
            "response_met",
            "resolution_met",
            "business_seconds_to_response",
            "business_seconds_to_resolution",
        )
    )
    by_kind = Counter(t["kind"] for t in opened)
    by_priority = Counter(t["priority"] for t in opened)
    resolved = (
        stats.counted_tickets([ctx.client])
        .filter(resolved_at__gte=ctx.start, resolved_at__lt=ctx.end, status__in=stats.DONE)
        .count()
    )
    kinds = [(label, by_kind.get(value, 0)) for value, label in TicketKind.choices]
    priorities = [(value, by_priority.get(value, 0)) for value in Priority.values]
    rows = [
        {
            "ticket": t["pk"],
            "subject": t["subject"],
            "kind": t["kind"],
            "priority": t["priority"],
            "status": t["status"],
            "created_at": t["created_at"],
            "responded_at": t["responded_at"],
            "resolved_at": t["resolved_at"],
            "response_due_at": t["response_due_at"],
            "resolution_due_at": t["resolution_due_at"],
            "response_met": t["response_met"],
            "resolution_met": t["resolution_met"],
            "business_seconds_to_response": t["business_seconds_to_response"],
            "business_seconds_to_resolution": t["business_seconds_to_resolution"],
        }
        for t in opened
    ]
    return SectionData(
        data={
            "opened": len(opened),
            "resolved": resolved,
            "kinds": kinds,
            "priorities": priorities,
        },
        summary=[("Tickets opened", str(len(opened))), ("Tickets resolved", str(resolved))],
        rows=rows,
    )
