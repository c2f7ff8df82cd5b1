"""The backlog: tickets open at the end of the month, by age (service-desk statistics)."""

from __future__ import annotations

from steward.reporting.sections.common import local, until_now
from steward.reporting.sections.registry import ReportContext, SectionData, section
from steward.servicedesk import stats

AGE_LABELS = {
    "under_1d": "under 1 day",
    "1d_3d": "1 to 3 days",
    "3d_7d": "3 to 7 days",
    "7d_30d": "7 to 30 days",
    "over_30d": "over 30 days",
}
LISTED = 25


@section(key="backlog", title="Backlog", order=300, template="reporting/sections/backlog.html")
def backlog(ctx: ReportContext) -> SectionData:
    """Tickets open at the month's end (now, while it runs), by age, the oldest listed."""
    at = until_now(ctx)
    rows = stats.backlog_age(at, [ctx.client])
    buckets = rows[0].buckets if rows else {}
    total = rows[0].open if rows else 0
    every = list(
        stats.open_at(at, [ctx.client])
        .order_by("created_at", "pk")
        .values("pk", "subject", "priority", "status", "created_at")
    )
    listed = [
        {
            "ticket": t["pk"],
            "subject": t["subject"],
            "priority": t["priority"],
            "status": t["status"],
            "opened": local(ctx, t["created_at"]),
            "age_days": (at - t["created_at"]).days,
        }
        for t in every
    ]
    shown = listed[:LISTED]
    return SectionData(
        data={
            "at": local(ctx, at),
            "open": total,
            "ages": [(label, buckets.get(key, 0)) for key, label in AGE_LABELS.items()],
            "oldest": shown,
            "more": max(0, total - len(shown)),
        },
        summary=[("Open at month end", str(total))],
        rows=[
            {k: t[k] for k in ("ticket", "subject", "priority", "status", "age_days")}
            for t in listed
        ],
    )
