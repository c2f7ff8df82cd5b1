"""Catching problems first: alert-born incidents resolved before the client had to raise a
ticket, and the mean time from a problem's beginning to its ticket."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from steward.monitoring.measures.common import (
    EVIDENCE_LIMIT,
    capped,
    duration,
    measured_span,
    percent,
)
from steward.monitoring.measures.incidents import (
    Incident,
    alert_incidents,
    client_reports,
    set_beginnings,
)
from steward.obligations.choices import Category
from steward.obligations.periods import Period
from steward.obligations.registry import Evidence, MeasureResult, clients_only, measure
from steward.servicedesk.measures.common import ticket_url
from steward.servicedesk.models import Ticket


def _evidence(ticket: Ticket, detail: str) -> Evidence:
    return Evidence(
        f"#{ticket.pk} {ticket.subject}: {detail}",
        url=ticket_url(ticket.pk),
        ref=f"servicedesk.ticket:{ticket.pk}",
    )


@measure(
    key="monitoring.alerts_resolved_before_client_ticket",
    name="Alert incidents resolved before the client raised a ticket",
    unit="%",
    category=Category.PROACTIVE_MANAGEMENT,
)
def alerts_resolved_before_client_ticket(
    counterparty: Any, period: Period, params: Mapping[str, Any]
) -> MeasureResult:
    """Share of the incidents opened from alerts in the period that were resolved before the
    client raised a ticket (portal, email, phone) about the same asset or incident. Incidents
    still open that the client has not reported yet are left out until they are decided."""
    if (refusal := clients_only(counterparty)) is not None:
        return refusal
    start, end = measured_span(counterparty, period)
    incidents = alert_incidents(counterparty, start, end)
    if not incidents:
        return MeasureResult(None, note=f"No incidents were opened from alerts in {period.label}.")
    set_beginnings(incidents)
    reports = client_reports(counterparty, incidents, end)
    first = [i for i in incidents if i.resolved_at and i.ticket.pk not in reports]
    late = [i for i in incidents if i.ticket.pk in reports]
    undecided = len(incidents) - len(first) - len(late)
    lines = [
        _evidence(i.ticket, f"client raised #{reports[i.ticket.pk].pk} first") for i in late
    ] + [_evidence(i.ticket, "resolved before any client ticket") for i in first]
    evidence, more = capped(lines, len(lines))
    notes = [f"{undecided} still open, not reported by the client yet."] if undecided else []
    return MeasureResult(
        percent(len(first), len(first) + len(late)),
        evidence=evidence,
        inputs={
            "incidents": len(incidents),
            "resolved_first": len(first),
            "client_first": len(late),
            "undecided": undecided,
            "client_tickets": {str(k): v.pk for k, v in reports.items()},
        },
        note=" ".join([*notes, more]).strip()
        or ("" if first or late else "No incident is decided yet."),
    )


@measure(
    key="monitoring.mean_time_to_detect",
    name="Mean time to detect",
    unit="min",
    category=Category.PROACTIVE_MANAGEMENT,
)
def mean_time_to_detect(
    counterparty: Any, period: Period, params: Mapping[str, Any]
) -> MeasureResult:
    """Mean minutes from a problem's beginning (the alert's pending start, or a check's first
    failing result) to the ticket opened for it, over the incidents opened from alerts in the
    period. Incidents whose alert history is gone are left out and counted."""
    if (refusal := clients_only(counterparty)) is not None:
        return refusal
    start, end = measured_span(counterparty, period)
    incidents = alert_incidents(counterparty, start, end)
    set_beginnings(incidents)
    timed = [i for i in incidents if i.began_at is not None]
    if not timed:
        return MeasureResult(
            None, note=f"No incidents with an alert history were opened in {period.label}."
        )
    delays = {i.ticket.pk: _delay(i) for i in timed}
    mean = Decimal(sum(delays.values())) / len(delays) / 60
    timed.sort(key=lambda i: (-delays[i.ticket.pk], i.ticket.created_at))
    evidence, more = capped(
        (_evidence(i.ticket, f"detected after {duration(delays[i.ticket.pk])}")
         for i in timed[:EVIDENCE_LIMIT]),
        len(timed),
    )  # fmt: skip
    missing = len(incidents) - len(timed)
    notes = [f"{missing} without alert history left out."] if missing else []
    return MeasureResult(
        mean.quantize(Decimal("0.01")),
        evidence=evidence,
        inputs={
            "incidents": len(timed),
            "left_out": missing,
            "delays_s": {str(k): round(v) for k, v in delays.items()},
        },
        note=" ".join([*notes, more]).strip(),
    )


def _delay(incident: Incident) -> float:
    assert incident.began_at is not None
    return max(0.0, (incident.ticket.created_at - incident.began_at).total_seconds())
