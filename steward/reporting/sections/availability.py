"""Availability of each monitored service (check) and the downtime list, computed by the
availability measure's own interval code (``monitoring.measures.availability.check_times``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from steward.monitoring.measures.availability import check_times
from steward.monitoring.models import Check
from steward.reporting import charts
from steward.reporting.sections.common import hours, local, pct, until_now
from steward.reporting.sections.registry import ReportContext, SectionData, section

DOWNTIMES_LISTED = 60


@section(
    key="availability",
    title="Availability",
    order=400,
    template="reporting/sections/availability.html",
)
def availability(ctx: ReportContext) -> SectionData:
    """Per check: up share of the known time (warning counts as up, as in the measure), down
    and unknown time, and each outage with its local start, end and length."""
    end = until_now(ctx)
    checks = list(
        Check.objects.filter(client=ctx.client, created_at__lt=ctx.end).order_by("name", "pk")
    )
    if not checks or end <= ctx.start:
        return SectionData(
            data={"services": [], "outages": [], "more": 0, "mean": None},
            note="No monitored services in this month.",
        )
    times = check_times(checks, ctx.start, end, warning_is_up=True)
    services: list[dict[str, Any]] = []
    outages: list[dict[str, Any]] = []
    for item in times:
        share = item.availability
        services.append(
            {
                "check": item.check.pk,
                "name": item.check.name,
                "type": item.check.get_type_display(),
                "availability": share,
                "down": hours(item.time.down),
                "unknown": hours(item.time.unknown) if item.time.unknown >= 60 else "",
                "outages": len(item.time.outages),
            }
        )
        for lo, hi in item.time.outages:
            outages.append(
                {
                    "check": item.check.pk,
                    "name": item.check.name,
                    "start": lo,
                    "end": hi,
                    "from": local(ctx, lo),
                    "until": local(ctx, hi),
                    "length": hours((hi - lo).total_seconds()),
                    "seconds": round((hi - lo).total_seconds()),
                }
            )
    outages.sort(key=lambda o: (o["start"], o["name"]))
    measured = [s for s in services if s["availability"] is not None]
    mean = (
        sum((Decimal(s["availability"]) for s in measured), Decimal(0)) / len(measured)
        if measured
        else None
    )
    svg = ""
    if measured:
        svg = charts.scoped(
            charts.horizontal_bars(
                [s["name"][:40] for s in measured], [float(s["availability"]) for s in measured]
            ),
            "availability",
        )
    rows = [
        {
            "record": "service",
            "check": s["check"],
            "name": s["name"],
            "availability_percent": s["availability"],
            "outages": s["outages"],
        }
        for s in services
    ] + [
        {
            "record": "outage",
            "check": o["check"],
            "name": o["name"],
            "start": o["start"],
            "end": o["end"],
            "seconds": o["seconds"],
        }
        for o in outages
    ]
    return SectionData(
        data={
            "services": services,
            "outages": outages[:DOWNTIMES_LISTED],
            "more": max(0, len(outages) - DOWNTIMES_LISTED),
            "mean": mean,
        },
        summary=[("Mean availability", pct(mean, 3)), ("Outages", str(len(outages)))],
        rows=rows,
        charts={"services": svg} if svg else {},
    )
