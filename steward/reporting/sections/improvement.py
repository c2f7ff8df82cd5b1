"""Improvement actions: the problem tickets worked in the month (opened, resolved or still
open at its end) and their outcome. The improvement register can add its own section later."""

from __future__ import annotations

from django.db.models import Q

from steward.reporting.sections.common import local, until_now
from steward.reporting.sections.registry import ReportContext, SectionData, section
from steward.servicedesk import stats
from steward.servicedesk.choices import TicketKind


@section(
    key="improvement",
    title="Improvement actions",
    order=900,
    template="reporting/sections/improvement.html",
)
def improvement(ctx: ReportContext) -> SectionData:
    """Problem tickets opened or resolved in the month, or open at its end."""
    at = until_now(ctx)
    open_ids = stats.open_at(at, [ctx.client]).values("pk")
    problems = list(
        stats.counted_tickets([ctx.client])
        .filter(kind=TicketKind.PROBLEM)
        .filter(
            Q(created_at__gte=ctx.start, created_at__lt=ctx.end)
            | Q(resolved_at__gte=ctx.start, resolved_at__lt=ctx.end)
            | Q(pk__in=open_ids)
        )
        .order_by("created_at", "pk")
    )
    listed = [
        {
            "ticket": p.pk,
            "subject": p.subject,
            "status": p.get_status_display(),
            "opened": local(ctx, p.created_at),
            "resolved": local(ctx, p.resolved_at)
            if p.resolved_at and p.resolved_at < ctx.end
            else "",
            "outcome": "resolved" if p.resolved_at and p.resolved_at < ctx.end else "in progress",
        }
        for p in problems
    ]
    done = sum(item["outcome"] == "resolved" for item in listed)
    return SectionData(
        data={"problems": listed, "done": done},
        summary=[("Problems worked", f"{len(listed)} ({done} resolved)")],
        rows=listed,
    )
