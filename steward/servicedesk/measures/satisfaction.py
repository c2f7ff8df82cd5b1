"""Satisfaction measures: the CSAT average and the survey response rate."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import F, QuerySet

from steward.obligations.choices import Category
from steward.obligations.periods import Period
from steward.obligations.registry import Evidence, MeasureResult, clients_only, measure
from steward.servicedesk import stats
from steward.servicedesk.measures.common import (
    EVIDENCE_LIMIT,
    bounds,
    capped,
    first_row,
    ticket_url,
)
from steward.servicedesk.models import Survey
from steward.tenancy.models import Client

# --- Satisfaction --------------------------------------------------------------------------------


def counted_surveys(client: Client) -> QuerySet[Survey]:
    """The client's surveys that statistics count (not those of merged duplicates)."""
    return Survey.objects.filter(client=client, ticket__merged_into__isnull=True).select_related(
        "ticket"
    )


def _survey_evidence(survey: Survey, detail: str) -> Evidence:
    return Evidence(
        f"#{survey.ticket_id} {survey.ticket.subject}: {detail}",
        url=ticket_url(survey.ticket_id),
        ref=f"servicedesk.survey:{survey.pk}",
    )


def _rated(survey: Survey) -> str:
    comment = f": \u201c{survey.comment[:120]}\u201d" if survey.comment else ""
    return f"rated {survey.rating}/5{comment}"


@measure(
    key="servicedesk.csat_average",
    name="Average customer satisfaction",
    unit="/5",
    category=Category.CONTINUOUS_IMPROVEMENT,
)
def csat_average(counterparty: Any, period: Period, params: Mapping[str, Any]) -> MeasureResult:
    """Average rating (1 to 5) of the satisfaction surveys answered in the period."""
    if (refusal := clients_only(counterparty)) is not None:
        return refusal
    start, end = bounds(counterparty, period)
    row = first_row(stats.csat(start, end, [counterparty]))
    if row is None or not row.rated:
        return MeasureResult(None, note=f"No survey was answered in {period.label}.")
    answered = counted_surveys(counterparty).filter(
        answered_at__gte=start, answered_at__lt=end, rating__isnull=False
    )
    evidence, more = capped(
        (
            _survey_evidence(s, _rated(s))
            for s in answered.order_by("rating", "answered_at", "pk")[:EVIDENCE_LIMIT]
        ),
        row.rated,
    )
    return MeasureResult(
        row.average,
        evidence=evidence,
        inputs={"answers": row.rated, "rating_total": row.rating_total},
        note=more,
    )


@measure(
    key="servicedesk.csat_response_rate",
    name="Satisfaction surveys answered",
    unit="%",
    category=Category.CONTINUOUS_IMPROVEMENT,
)
def csat_response_rate(
    counterparty: Any, period: Period, params: Mapping[str, Any]
) -> MeasureResult:
    """Share of the satisfaction surveys sent in the period that have been answered."""
    if (refusal := clients_only(counterparty)) is not None:
        return refusal
    start, end = bounds(counterparty, period)
    row = first_row(stats.csat(start, end, [counterparty]))
    if row is None or not row.sent:
        return MeasureResult(None, note=f"No survey was sent in {period.label}.")
    sent = counted_surveys(counterparty).filter(sent_at__gte=start, sent_at__lt=end)
    # Unanswered first: those are what the rate is short of.
    evidence, more = capped(
        (
            _survey_evidence(s, _rated(s) if s.answered_at else "not answered")
            for s in sent.order_by(F("answered_at").asc(nulls_first=True), "sent_at", "pk")[
                :EVIDENCE_LIMIT
            ]
        ),
        row.sent,
    )
    return MeasureResult(
        row.response_rate,
        evidence=evidence,
        inputs={"sent": row.sent, "answered": row.answered},
        note=more,
    )
