"""Customer satisfaction: the CSAT average, the survey response rate and the comments, from
the same statistics as the satisfaction measures."""

from __future__ import annotations

from steward.reporting.sections.common import local, pct
from steward.reporting.sections.registry import ReportContext, SectionData, section
from steward.servicedesk import stats
from steward.servicedesk.measures.satisfaction import counted_surveys

COMMENTS_LISTED = 30


@section(
    key="satisfaction",
    title="Satisfaction",
    order=800,
    template="reporting/sections/satisfaction.html",
)
def satisfaction(ctx: ReportContext) -> SectionData:
    """Average rating of answers given in the month, share of surveys sent in the month that
    were answered, and the comments."""
    rows = stats.csat(ctx.start, ctx.end, [ctx.client])
    row = rows[0] if rows else None
    answered = list(
        counted_surveys(ctx.client)
        .filter(answered_at__gte=ctx.start, answered_at__lt=ctx.end, rating__isnull=False)
        .order_by("answered_at", "pk")
    )
    average = row.average if row else None
    rate = row.response_rate if row else None
    comments = [
        {
            "ticket": s.ticket_id,
            "rating": s.rating,
            "comment": s.comment,
            "answered": local(ctx, s.answered_at),
        }
        for s in answered
        if s.comment.strip()
    ]
    return SectionData(
        data={
            "average": average,
            "rate": rate,
            "sent": row.sent if row else 0,
            "answered": row.answered if row else 0,
            "rated": row.rated if row else 0,
            "comments": comments[-COMMENTS_LISTED:],
        },
        summary=[
            ("Satisfaction", f"{average:.2f} / 5" if average is not None else "no answers"),
            ("Survey response rate", pct(rate)),
        ],
        rows=[
            {
                "ticket": s.ticket_id,
                "rating": s.rating,
                "answered_at": s.answered_at,
                "comment": s.comment,
            }
            for s in answered
        ],
    )
