"""SLA measures: response and resolution attainment, mean times to acknowledge and resolve."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from steward.obligations.choices import Category
from steward.obligations.periods import Period
from steward.obligations.registry import Evidence, MeasureResult, clients_only, measure
from steward.servicedesk import stats
from steward.servicedesk.measures.common import (
    EVIDENCE_LIMIT,
    HOUR,
    bad_priority,
    bounds,
    capped,
    hours,
    sla_inputs,
    targets_of,
    ticket_evidence,
    which,
)
from steward.servicedesk.models import Ticket
from steward.tenancy.models import Client

# --- SLA attainment ------------------------------------------------------------------------------


def _attainment(client: Client, period: Period, priority: str, clock: str) -> MeasureResult:
    """Share of decided ``clock`` ("response" or "resolution") outcomes that met the target."""
    start, end = bounds(client, period)
    opened = stats.created_in(start, end, [client])
    if priority:
        opened = opened.filter(priority=priority)
    totals = stats.combine(stats.attainment(start, end, [client]), priority)
    met, decided = totals.get(f"{clock}_met", 0), totals.get(f"{clock}_total", 0)
    if decided == 0:
        count = opened.count()
        if not count:
            return MeasureResult(None, note=f"No {which(priority)} opened in {period.label}.")
        return MeasureResult(
            None,
            note=f"{count} {which(priority)} opened in {period.label}, none with a decided "
            f"{clock} yet (no SLA, or still within the target).",
            inputs={"opened": count},
        )
    flag = f"{clock}_met"
    policies = sla_inputs(opened)
    targets = targets_of(policies)
    rows = opened.filter(**{f"{flag}__isnull": False}).order_by(flag, "created_at", "pk")
    evidence, more = capped((_outcome(t, clock, targets) for t in rows[:EVIDENCE_LIMIT]), decided)
    return MeasureResult(
        stats.percent(met, decided),
        evidence=evidence,
        inputs={"met": met, "decided": decided, "priority": priority, "sla_policies": policies},
        note=more,
    )


def _outcome(
    ticket: Ticket, clock: str, targets: dict[tuple[int, str], dict[str, int]]
) -> Evidence:
    met = getattr(ticket, f"{clock}_met")
    took = getattr(ticket, f"business_seconds_to_{clock}")
    target = targets.get((ticket.sla_policy_id or 0, ticket.priority), {}).get(f"{clock}_seconds")
    goal = f", target {hours(target)}" if target else ""
    if took is None:
        due = getattr(ticket, f"{clock}_due_at")
        when = f"{due:%Y-%m-%d %H:%M} UTC" if due else "-"
        return ticket_evidence(ticket, f"{clock} missed: not yet done, due {when}{goal}")
    verdict = "met" if met else "missed"
    return ticket_evidence(ticket, f"{clock} {verdict} after {hours(took)} business time{goal}")


@measure(
    key="servicedesk.response_attainment",
    name="Tickets responded to within the SLA target",
    unit="%",
    category=Category.SERVICE_DELIVERY,
    params={"priority": "P1"},
)
def response_attainment(
    counterparty: Any, period: Period, params: Mapping[str, Any]
) -> MeasureResult:
    """Share of the tickets opened in the period (of ``priority``; empty: all) whose first
    response met the SLA target, of those whose response is decided."""
    refusal = clients_only(counterparty) or bad_priority(params["priority"])
    return refusal or _attainment(counterparty, period, params["priority"], "response")


@measure(
    key="servicedesk.resolution_attainment",
    name="Tickets resolved within the SLA target",
    unit="%",
    category=Category.SERVICE_DELIVERY,
    params={"priority": "P1"},
)
def resolution_attainment(
    counterparty: Any, period: Period, params: Mapping[str, Any]
) -> MeasureResult:
    """Share of the tickets opened in the period (of ``priority``; empty: all) resolved within
    the SLA target, of those whose resolution is decided."""
    refusal = clients_only(counterparty) or bad_priority(params["priority"])
    return refusal or _attainment(counterparty, period, params["priority"], "resolution")


# --- Mean times ----------------------------------------------------------------------------------


def _mean_time(
    client: Client, period: Period, priority: str, clock: str, tickets: QuerySet[Ticket]
) -> MeasureResult:
    column = f"business_seconds_to_{clock}"
    start, end = bounds(client, period)
    finder = stats.mtta if clock == "response" else stats.mttr
    totals = stats.combine(finder(start, end, [client]), priority)
    count, total = totals.get("count", 0), totals.get("total_seconds", 0)
    what = "answered" if clock == "response" else "resolved"
    if not count:
        return MeasureResult(
            None, note=f"No {which(priority)} {what} in {period.label} (with an SLA)."
        )
    measured = tickets.filter(**{f"{column}__isnull": False})
    if priority:
        measured = measured.filter(priority=priority)
    policies = sla_inputs(measured)
    targets = targets_of(policies)
    slowest = measured.order_by(f"-{column}", "pk")[:EVIDENCE_LIMIT]
    evidence, more = capped((_outcome(t, clock, targets) for t in slowest), count)
    mean = Decimal(total) / count
    return MeasureResult(
        (mean / HOUR).quantize(Decimal("0.0001")),
        evidence=evidence,
        inputs={
            "tickets": count,
            "business_seconds_total": total,
            "mean_business_seconds": float(round(mean, 1)),
            "priority": priority,
            "sla_policies": policies,
        },
        note=more,
    )


@measure(
    key="servicedesk.mtta",
    name="Mean time to acknowledge (first response)",
    unit="h",
    category=Category.SERVICE_DELIVERY,
    params={"priority": ""},
)
def mean_time_to_acknowledge(
    counterparty: Any, period: Period, params: Mapping[str, Any]
) -> MeasureResult:
    """Mean business hours from opening to the first public staff reply, over the tickets
    opened in the period that were answered (of ``priority``; empty: all)."""
    refusal = clients_only(counterparty) or bad_priority(params["priority"])
    if refusal:
        return refusal
    start, end = bounds(counterparty, period)
    tickets = stats.created_in(start, end, [counterparty])
    return _mean_time(counterparty, period, params["priority"], "response", tickets)


@measure(
    key="servicedesk.mttr",
    name="Mean time to resolve",
    unit="h",
    category=Category.SERVICE_DELIVERY,
    params={"priority": ""},
)
def mean_time_to_resolve(
    counterparty: Any, period: Period, params: Mapping[str, Any]
) -> MeasureResult:
    """Mean business hours from opening to resolution (waiting on the client excluded), over
    the tickets resolved in the period (of ``priority``; empty: all)."""
    refusal = clients_only(counterparty) or bad_priority(params["priority"])
    if refusal:
        return refusal
    start, end = bounds(counterparty, period)
    tickets = stats.counted_tickets([counterparty]).filter(
        resolved_at__gte=start, resolved_at__lt=end, status__in=stats.DONE
    )
    return _mean_time(counterparty, period, params["priority"], "resolution", tickets)
