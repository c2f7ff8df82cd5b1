"""Problems seen coming: forecast alerts raised in a period, and those whose ticket was
resolved before the predicted crossing (the problem prevented)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q

from steward.monitoring.choices import AlertEventKind, RuleKindChoice
from steward.monitoring.measures.common import capped, measured_span, percent
from steward.monitoring.measures.incidents import reference_id, resolution_times
from steward.monitoring.models import Alert, AlertEvent, AlertRule
from steward.monitoring.rules.defaults import DEFAULT_RULES
from steward.monitoring.rules.model import RuleKind
from steward.obligations.choices import Category
from steward.obligations.periods import Period
from steward.obligations.registry import Evidence, MeasureResult, clients_only, measure
from steward.servicedesk.choices import LinkKind
from steward.servicedesk.measures.common import ticket_url
from steward.servicedesk.models import Ticket, TicketLink
from steward.tenancy.models import Client

DEFAULT_FORECAST_RULES = frozenset(
    rule.id for rules in DEFAULT_RULES.values() for rule in rules if rule.kind is RuleKind.FORECAST
)
# The firing reason of a forecast rule (rules/describe.py): "... predicted to reach 100 at
# 2026-11-30T14:00+00:00 (in ~2.3 days)".
_CROSSING = re.compile(
    r"predicted to reach \S+ at "
    r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:\d{2}))"
)


def crossing_from_reason(reason: str) -> datetime | None:
    """The predicted crossing named in a forecast alert's firing reason, or None."""
    found = _CROSSING.search(reason) if isinstance(reason, str) else None
    if found is None:
        return None
    try:
        moment = datetime.fromisoformat(found[1])
    except ValueError:  # e.g. month 13: shaped like a time, but not one
        return None
    return moment if moment.tzinfo is not None else None


@dataclass
class Forecast:
    """One forecast alert firing: what it predicted and the ticket it opened."""

    event: AlertEvent
    alert: Alert
    crossing: datetime | None
    ticket: Ticket | None
    resolved_at: datetime | None = None  # the ticket's

    def prevented(self, now: datetime) -> bool | None:
        """True: the ticket was resolved before the crossing; False: the crossing came first
        (or is unknown and the ticket is not resolved); None: not decided yet."""
        resolved = self.resolved_at
        if self.crossing is None:
            return None if resolved is None else False
        if resolved is not None and resolved <= now:
            return resolved < self.crossing
        return False if self.crossing <= now else None


def forecast_rule_ids(client: Client) -> set[str]:
    extra = AlertRule.objects.filter(
        Q(client=client) | Q(client=None), kind=RuleKindChoice.FORECAST
    ).values_list("rule_id", flat=True)
    return set(DEFAULT_FORECAST_RULES) | set(extra)


def forecasts(client: Client, start: datetime, end: datetime) -> list[Forecast]:
    """The client's forecast alerts that fired (and were told) in ``[start, end)``."""
    events = list(
        AlertEvent.objects.filter(
            alert__client=client,
            alert__rule_id__in=forecast_rule_ids(client),
            kind=AlertEventKind.FIRING,
            told=True,
            at__gte=start,
            at__lt=end,
        )
        .select_related("alert", "alert__asset")
        .order_by("at", "pk")
    )
    tickets = _tickets_of({e.alert_id for e in events})
    resolved = resolution_times(t for same in tickets.values() for t in same)
    found = []
    for event in events:
        crossing = crossing_from_reason(event.reason)
        if crossing is None and event.alert.started_at == event.at:
            crossing = event.alert.forecast_crossing_at  # still this occurrence's prediction
        ticket = _ticket_at(tickets, resolved, event)
        done = resolved.get(ticket.pk) if ticket is not None else None
        found.append(Forecast(event, event.alert, crossing, ticket, done))
    return found


def _tickets_of(alert_ids: set[int]) -> dict[int, list[Ticket]]:
    by_alert: dict[int, list[Ticket]] = {}
    links = TicketLink.objects.filter(
        kind=LinkKind.ALERT, reference__in=[f"alert:{pk}" for pk in alert_ids]
    ).select_related("ticket")
    for link in links.order_by("ticket__created_at", "pk"):
        alert_id = reference_id(link.reference, "alert")
        if alert_id is not None:
            by_alert.setdefault(alert_id, []).append(link.ticket)
    return by_alert


def _ticket_at(
    tickets: dict[int, list[Ticket]], resolved: dict[int, datetime], event: AlertEvent
) -> Ticket | None:
    """The ticket that was open for the alert when it fired: the latest opened by then and
    not resolved before."""
    chosen = None
    for ticket in tickets.get(event.alert_id, []):
        done = resolved.get(ticket.pk)
        if ticket.created_at <= event.at and (done is None or done >= event.at):
            chosen = ticket
    return chosen


def _evidence(item: Forecast, now: datetime) -> Evidence:
    when = item.crossing.isoformat(timespec="minutes") if item.crossing else "an unknown time"
    outcome = {True: "prevented", False: "not prevented", None: "open"}[item.prevented(now)]
    ticket = item.ticket
    detail = f"predicted at {when}; {outcome}"
    if ticket is not None:
        resolved = item.resolved_at
        done = f"resolved {resolved.isoformat(timespec='minutes')}" if resolved else "open"
        detail += f" (ticket #{ticket.pk} {done})"
    return Evidence(
        f"{item.alert.summary or item.alert.rule_id}: {detail}",
        url=ticket_url(ticket.pk) if ticket is not None else "",
        ref=f"monitoring.alert:{item.alert.pk}",
    )


def _inputs(found: list[Forecast], now: datetime) -> dict[str, Any]:
    outcomes = [f.prevented(now) for f in found]
    return {
        "forecast": len(found),
        "prevented": outcomes.count(True),
        "not_prevented": outcomes.count(False),
        "undecided": outcomes.count(None),
        "alerts": sorted({f.alert.pk for f in found}),
    }


@measure(
    key="monitoring.problems_forecast",
    name="Problems forecast",
    unit="problems",
    category=Category.PROACTIVE_MANAGEMENT,
)
def problems_forecast(
    counterparty: Any, period: Period, params: Mapping[str, Any]
) -> MeasureResult:
    """How many forecast alerts (a trend predicted to cross its limit within the rule's
    horizon, e.g. a disk filling up) fired for the client in the period and opened a ticket."""
    if (refusal := clients_only(counterparty)) is not None:
        return refusal
    start, end = measured_span(counterparty, period)
    found = forecasts(counterparty, start, end)
    evidence, more = capped((_evidence(f, end) for f in found), len(found))
    return MeasureResult(len(found), evidence=evidence, inputs=_inputs(found, end), note=more)


@measure(
    key="monitoring.problems_prevented",
    name="Forecast problems prevented",
    unit="problems",
    category=Category.PROACTIVE_MANAGEMENT,
    params={"share": False},
)
def problems_prevented(
    counterparty: Any, period: Period, params: Mapping[str, Any]
) -> MeasureResult:
    """How many of the period's forecast alerts had their ticket resolved before the
    predicted crossing; with ``share``, their percentage of the decided ones (resolved, or the
    crossing passed)."""
    if (refusal := clients_only(counterparty)) is not None:
        return refusal
    start, end = measured_span(counterparty, period)
    found = forecasts(counterparty, start, end)
    inputs = _inputs(found, end)
    decided = inputs["prevented"] + inputs["not_prevented"]
    if params["share"] and not decided:
        return MeasureResult(None, inputs=inputs, note="No forecast problem is decided yet.")
    ordered = sorted(found, key=lambda f: (f.prevented(end) is not False, f.event.at))
    evidence, more = capped((_evidence(f, end) for f in ordered), len(ordered))
    value = percent(inputs["prevented"], decided) if params["share"] else inputs["prevented"]
    return MeasureResult(value, evidence=evidence, inputs=inputs, note=more)
