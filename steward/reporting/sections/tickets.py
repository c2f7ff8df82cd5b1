"""Tickets of the month by kind and priority (service-desk statistics, not recomputed)."""

from __future__ import annotations

from collections import Counter

from steward.reporting import charts
from steward.reporting.sections.common import trend_months
from steward.reporting.sections.registry import ReportContext, SectionData, section
from steward.servicedesk import stats
from steward.servicedesk.choices import Priority, TicketKind


def trend(ctx: ReportContext) -> tuple[dict[str, list[int]], str]:
    """Tickets opened per month by kind over the last 12 months (one query), and its chart."""
    months = trend_months(ctx)
    first, _ = months[0].bounds(ctx.zone)
    keys = [m.key for m in months]
    counts = {label: [0] * len(months) for _, label in TicketKind.choices}
    labels = dict(TicketKind.choices)
    rows = stats.created_in(first, ctx.end, [ctx.client]).values_list("created_at", "kind")
    for created_at, kind in rows.iterator(chunk_size=5000):
        key = created_at.astimezone(ctx.zone).strftime("%Y-%m")
        if key in keys and kind in labels:
            counts[labels[kind]][keys.index(key)] += 1
    shown = {name: values for name, values in counts.items() if any(values)}
    svg = charts.stacked_bars(keys, shown or {"Tickets": [0] * len(keys)}, "tickets")
    return counts, charts.scoped(svg, "tickets")


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
    per_month, svg = trend(ctx)
    return SectionData(
        charts={"trend": svg},
        data={
            "per_month": per_month,
            "opened": len(opened),
            "resolved": resolved,
            "kinds": kinds,
            "priorities": priorities,
        },
        summary=[("Tickets opened", str(len(opened))), ("Tickets resolved", str(resolved))],
        rows=rows,
    )
