"""Service levels: attainment per priority against the SLA policy's targets, the attainment
goals of the client's obligations, MTTA and MTTR, and a 12-month attainment trend.

The figures are those of ``steward.servicedesk.stats`` (what the SLA measures use), so the
report and the scorecard never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q

from steward.agreements.models import SlaPolicy, SlaTarget
from steward.obligations.models import Obligation
from steward.reporting import charts
from steward.reporting.sections.common import hours, month_bounds, pct, trend_months
from steward.reporting.sections.registry import ReportContext, SectionData, section
from steward.servicedesk import stats
from steward.servicedesk.choices import Priority

ATTAINMENT_MEASURES = {
    "servicedesk.response_attainment": "response",
    "servicedesk.resolution_attainment": "resolution",
}
BREACHES_LISTED = 50


@dataclass
class PriorityLine:
    priority: str
    response_target_s: int | None
    resolution_target_s: int | None
    response_met: int = 0
    response_total: int = 0
    resolution_met: int = 0
    resolution_total: int = 0
    response_goal: Decimal | None = None
    resolution_goal: Decimal | None = None
    mtta_s: float | None = None
    mttr_s: float | None = None

    @property
    def response_percent(self) -> Decimal | None:
        return stats.percent(self.response_met, self.response_total)

    @property
    def resolution_percent(self) -> Decimal | None:
        return stats.percent(self.resolution_met, self.resolution_total)

    def as_row(self) -> dict[str, Any]:
        return {
            "priority": self.priority,
            "response_target_seconds": self.response_target_s,
            "response_met": self.response_met,
            "response_decided": self.response_total,
            "response_percent": self.response_percent,
            "response_goal_percent": self.response_goal,
            "resolution_target_seconds": self.resolution_target_s,
            "resolution_met": self.resolution_met,
            "resolution_decided": self.resolution_total,
            "resolution_percent": self.resolution_percent,
            "resolution_goal_percent": self.resolution_goal,
            "mtta_business_seconds": self.mtta_s,
            "mttr_business_seconds": self.mttr_s,
        }


def policy_of_period(ctx: ReportContext) -> SlaPolicy | None:
    """The client's SLA policy version in effect at the end of the month (the latest one that
    started before it and had not ended by the start)."""
    return (
        SlaPolicy.objects.filter(client=ctx.client, effective_from__lt=ctx.end)
        .filter(Q(effective_until__isnull=True) | Q(effective_until__gt=ctx.start))
        .order_by("-effective_from", "-version")
        .first()
    )


def goals(ctx: ReportContext) -> dict[tuple[str, str], Decimal]:
    """Attainment goals (%) from the client's active obligations: (clock, priority) -> target;
    priority "" means all tickets."""
    found: dict[tuple[str, str], Decimal] = {}
    for ob in Obligation.objects.filter(
        client=ctx.client, active=True, measure_key__in=list(ATTAINMENT_MEASURES)
    ).order_by("pk"):
        priority = str((ob.params or {}).get("priority", "P1"))
        found.setdefault((ATTAINMENT_MEASURES[ob.measure_key], priority), ob.target)
    return found


def _lines(ctx: ReportContext) -> list[PriorityLine]:
    policy = policy_of_period(ctx)
    targets = {
        t.priority: t
        for t in (SlaTarget.objects.filter(policy=policy) if policy else SlaTarget.objects.none())
    }
    goal = goals(ctx)
    lines = {
        p: PriorityLine(
            p,
            targets[p].response_seconds if p in targets else None,
            targets[p].resolution_seconds if p in targets else None,
            response_goal=goal.get(("response", p), goal.get(("response", ""))),
            resolution_goal=goal.get(("resolution", p), goal.get(("resolution", ""))),
        )
        for p in Priority.values
    }
    for row in stats.attainment(ctx.start, ctx.end, [ctx.client]):
        line = lines.get(row.priority)
        if line is not None:
            line.response_met, line.response_total = row.response_met, row.response_total
            line.resolution_met, line.resolution_total = row.resolution_met, row.resolution_total
    for finder, attr in ((stats.mtta, "mtta_s"), (stats.mttr, "mttr_s")):
        for d in finder(ctx.start, ctx.end, [ctx.client]):
            if d.priority in lines and d.count:
                setattr(lines[d.priority], attr, d.total_seconds / d.count)
    return list(lines.values())


def _trend(ctx: ReportContext, goal: Decimal | None) -> tuple[list[dict[str, Any]], str]:
    months = trend_months(ctx)
    points: list[dict[str, Any]] = []
    for month in months:
        start, end = month_bounds(ctx, month)
        totals = stats.combine(stats.attainment(start, end, [ctx.client]))
        points.append(
            {
                "month": month.key,
                "response": stats.percent(
                    totals.get("response_met", 0), totals.get("response_total", 0)
                ),
                "resolution": stats.percent(
                    totals.get("resolution_met", 0), totals.get("resolution_total", 0)
                ),
            }
        )
    svg = charts.lines_with_target(
        [p["month"] for p in points],
        {
            "Response": [p["response"] for p in points],
            "Resolution": [p["resolution"] for p in points],
        },
        float(goal) if goal is not None else None,
    )
    return points, charts.scoped(svg, "sla")


def _breaches(ctx: ReportContext) -> list[dict[str, Any]]:
    tickets = (
        stats.created_in(ctx.start, ctx.end, [ctx.client])
        .filter(Q(response_met=False) | Q(resolution_met=False))
        .order_by("created_at", "pk")[:BREACHES_LISTED]
    )
    return [
        {
            "ticket": t.pk,
            "subject": t.subject,
            "priority": t.priority,
            "response": hours(t.business_seconds_to_response),
            "response_met": t.response_met,
            "resolution": hours(t.business_seconds_to_resolution),
            "resolution_met": t.resolution_met,
        }
        for t in tickets
    ]


@section(key="sla", title="Service levels", order=200, template="reporting/sections/sla.html")
def service_levels(ctx: ReportContext) -> SectionData:
    """Attainment per priority vs the targets, MTTA/MTTR, breaches and the 12-month trend."""
    lines = _lines(ctx)
    totals = stats.combine(stats.attainment(ctx.start, ctx.end, [ctx.client]))
    response = stats.percent(totals.get("response_met", 0), totals.get("response_total", 0))
    resolution = stats.percent(totals.get("resolution_met", 0), totals.get("resolution_total", 0))
    goal_values = [g for line in lines for g in (line.response_goal, line.resolution_goal) if g]
    trend, svg = _trend(ctx, min(goal_values) if goal_values else None)
    mtta = stats.combine(stats.mtta(ctx.start, ctx.end, [ctx.client]))
    mttr = stats.combine(stats.mttr(ctx.start, ctx.end, [ctx.client]))
    mean_ack = mtta["total_seconds"] / mtta["count"] if mtta.get("count") else None
    mean_fix = mttr["total_seconds"] / mttr["count"] if mttr.get("count") else None
    return SectionData(
        data={
            "lines": lines,
            "response": response,
            "resolution": resolution,
            "mtta": hours(mean_ack),
            "mttr": hours(mean_fix),
            "breaches": _breaches(ctx),
            "trend": trend,
            "has_policy": any(line.response_target_s for line in lines),
        },
        summary=[
            ("Responses within SLA", pct(response)),
            ("Resolutions within SLA", pct(resolution)),
            ("Mean time to acknowledge", hours(mean_ack)),
            ("Mean time to resolve", hours(mean_fix)),
        ],
        rows=[line.as_row() for line in lines],
        charts={"trend": svg},
    )
