"""Alerts handled in the month and the issues forecast (monitoring alerts and forecasts)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from steward.monitoring.choices import AlertEventKind, AlertSeverity
from steward.monitoring.measures.forecasts import forecasts
from steward.monitoring.models import AlertEvent
from steward.reporting.sections.common import local
from steward.reporting.sections.registry import ReportContext, SectionData, section

LISTED = 40


def _firings(ctx: ReportContext) -> list[AlertEvent]:
    return list(
        AlertEvent.objects.filter(
            alert__client=ctx.client,
            kind=AlertEventKind.FIRING,
            at__gte=ctx.start,
            at__lt=ctx.end,
        )
        .select_related("alert", "alert__asset")
        .order_by("at", "pk")
    )


def _resolved_ids(ctx: ReportContext, alert_ids: set[int]) -> set[int]:
    """Alerts among ``alert_ids`` that resolved after firing, by the report's end."""
    return set(
        AlertEvent.objects.filter(
            alert_id__in=alert_ids, kind=AlertEventKind.RESOLVED, at__lt=ctx.end
        ).values_list("alert_id", flat=True)
    )


@section(
    key="alerts", title="Alerts and forecasts", order=500, template="reporting/sections/alerts.html"
)
def alerts(ctx: ReportContext) -> SectionData:
    """Alert firings in the month by severity, whether they were acknowledged, ticketed and
    resolved; forecast alerts with their predicted crossing and whether it was prevented."""
    fired = _firings(ctx)
    resolved = _resolved_ids(ctx, {e.alert_id for e in fired})
    by_severity = Counter(e.alert.severity for e in fired)
    listed: list[dict[str, Any]] = [
        {
            "alert": e.alert_id,
            "fired_at": e.at,
            "fired": local(ctx, e.at),
            "summary": e.alert.summary or e.alert.rule_id,
            "asset": e.alert.asset.name if e.alert.asset else "",
            "severity": e.alert.severity,
            "acknowledged": e.alert.acknowledged_at is not None,
            "ticket": e.alert.ticket_id,
            "resolved": e.alert_id in resolved,
        }
        for e in fired
    ]
    now = min(ctx.end, ctx.now)
    predicted = [
        {
            "alert": f.alert.pk,
            "summary": f.alert.summary or f.alert.rule_id,
            "asset": f.alert.asset.name if f.alert.asset else "",
            "fired": local(ctx, f.event.at),
            "crossing": local(ctx, f.crossing),
            "ticket": f.ticket.pk if f.ticket else None,
            "outcome": {True: "prevented", False: "not prevented", None: "open"}[f.prevented(now)],
        }
        for f in forecasts(ctx.client, ctx.start, ctx.end)
    ]
    prevented = sum(p["outcome"] == "prevented" for p in predicted)
    return SectionData(
        data={
            "fired": len(fired),
            "severities": [(label, by_severity.get(v, 0)) for v, label in AlertSeverity.choices],
            "resolved": sum(item["resolved"] for item in listed),
            "ticketed": sum(item["ticket"] is not None for item in listed),
            "alerts": listed[:LISTED],
            "more": max(0, len(listed) - LISTED),
            "forecasts": predicted,
            "prevented": prevented,
        },
        summary=[
            ("Alerts handled", str(len(fired))),
            ("Issues forecast", f"{len(predicted)} ({prevented} prevented)"),
        ],
        rows=[{"record": "alert", **{k: v for k, v in a.items() if k != "fired"}} for a in listed]
        + [{"record": "forecast", **p} for p in predicted],
    )
