"""What the service desk contributes to the obligation engine: SLA attainment, mean times,
backlog, reopens, first-contact resolution and satisfaction, per client and period.

Values come from ``steward.servicedesk.stats`` (aggregates, one query each); the evidence is the
tickets (or surveys) behind the value, those that count against the promise first, at most
``EVIDENCE_LIMIT`` of them. Whether each ticket met its response or resolution target is judged
against the SLA policy of the client's agreement in force when it was opened; the policies
(ids, versions and targets) are recorded in ``inputs`` so a closed period stays explainable.
Definitions: docs/servicedesk.md, "Measures".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.db.models import Case, F, IntegerField, QuerySet, Value, When
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from steward.agreements.models import SlaTarget
from steward.obligations.choices import Category
from steward.obligations.periods import Period
from steward.obligations.registry import Evidence, MeasureResult, measure
from steward.servicedesk import stats
from steward.servicedesk.choices import Priority
from steward.servicedesk.models import Survey, Ticket
from steward.tenancy.models import Client

EVIDENCE_LIMIT = 50
HOUR = Decimal(3600)


# --- Shared pieces -------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _has_ticket_page() -> bool:
    try:
        reverse("servicedesk:ticket", kwargs={"ticket_id": 1})
    except NoReverseMatch:
        return False
    return True


def ticket_url(ticket_id: int) -> str:
    """The ticket's page in the web UI, or its API address when the UI has no such page."""
    if _has_ticket_page():
        return reverse("servicedesk:ticket", kwargs={"ticket_id": ticket_id})
    return f"/api/v1/tickets/{ticket_id}"


def ticket_evidence(ticket: Ticket, detail: str) -> Evidence:
    return Evidence(
        f"#{ticket.pk} {ticket.subject} ({ticket.priority}): {detail}",
        url=ticket_url(ticket.pk),
        ref=f"servicedesk.ticket:{ticket.pk}",
    )


def hours(seconds: int | Decimal | None) -> str:
    """Business seconds as "1 h 05 min" for evidence labels."""
    if seconds is None:
        return "-"
    minutes = int(seconds) // 60
    return f"{minutes // 60} h {minutes % 60:02d} min"


def _not_a_client(counterparty: Any) -> MeasureResult | None:
    if isinstance(counterparty, Client):
        return None
    return MeasureResult(None, note="This measure applies to clients only.")


def _bad_priority(priority: str) -> MeasureResult | None:
    if priority == "" or priority in Priority.values:
        return None
    allowed = ", ".join(Priority.values)
    return MeasureResult(
        None, note=f"Unknown priority {priority!r}: use {allowed}, or an empty value for all."
    )


def _which(priority: str) -> str:
    return f"{priority} tickets" if priority else "tickets"


def _bounds(client: Client, period: Period) -> tuple[datetime, datetime]:
    return period.bounds(client.timezone)


def _capped(items: Iterable[Evidence], total: int) -> tuple[list[Evidence], str]:
    evidence = list(items)
    hidden = total - len(evidence)
    return evidence, (f"{hidden} more not listed." if hidden > 0 else "")


def sla_inputs(tickets: QuerySet[Ticket]) -> list[dict[str, Any]]:
    """The SLA policy versions the tickets were judged by, with their targets per priority."""
    policy_ids = tickets.exclude(sla_policy=None).values("sla_policy_id").distinct()
    targets = (
        SlaTarget.objects.filter(policy_id__in=policy_ids)
        .select_related("policy")
        .order_by("policy_id", "priority")
    )
    policies: dict[int, dict[str, Any]] = {}
    for target in targets:
        entry = policies.setdefault(
            target.policy_id,
            {"id": target.policy_id, "version": target.policy.version, "targets": {}},
        )
        entry["targets"][target.priority] = {
            "response_seconds": target.response_seconds,
            "resolution_seconds": target.resolution_seconds,
        }
    return list(policies.values())


def _targets(policies: list[dict[str, Any]]) -> dict[tuple[int, str], dict[str, int]]:
    return {
        (p["id"], priority): seconds for p in policies for priority, seconds in p["targets"].items()
    }


# --- SLA attainment ------------------------------------------------------------------------------


def _attainment(client: Client, period: Period, priority: str, clock: str) -> MeasureResult:
    """Share of decided ``clock`` ("response" or "resolution") outcomes that met the target."""
    start, end = _bounds(client, period)
    opened = stats.created_in(start, end, [client])
    if priority:
        opened = opened.filter(priority=priority)
    totals = stats.combine(stats.attainment(start, end, [client]), priority)
    met, decided = totals.get(f"{clock}_met", 0), totals.get(f"{clock}_total", 0)
    if decided == 0:
        count = opened.count()
        if not count:
            return MeasureResult(None, note=f"No {_which(priority)} opened in {period.label}.")
        return MeasureResult(
            None,
            note=f"{count} {_which(priority)} opened in {period.label}, none with a decided "
            f"{clock} yet (no SLA, or still within the target).",
            inputs={"opened": count},
        )
    flag = f"{clock}_met"
    policies = sla_inputs(opened)
    targets = _targets(policies)
    rows = opened.filter(**{f"{flag}__isnull": False}).order_by(flag, "created_at", "pk")
    evidence, more = _capped((_outcome(t, clock, targets) for t in rows[:EVIDENCE_LIMIT]), decided)
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
    refusal = _not_a_client(counterparty) or _bad_priority(params["priority"])
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
    refusal = _not_a_client(counterparty) or _bad_priority(params["priority"])
    return refusal or _attainment(counterparty, period, params["priority"], "resolution")


# --- Mean times ----------------------------------------------------------------------------------


def _mean_time(
    client: Client, period: Period, priority: str, clock: str, tickets: QuerySet[Ticket]
) -> MeasureResult:
    column = f"business_seconds_to_{clock}"
    start, end = _bounds(client, period)
    finder = stats.mtta if clock == "response" else stats.mttr
    totals = stats.combine(finder(start, end, [client]), priority)
    count, total = totals.get("count", 0), totals.get("total_seconds", 0)
    what = "answered" if clock == "response" else "resolved"
    if not count:
        return MeasureResult(
            None, note=f"No {_which(priority)} {what} in {period.label} (with an SLA)."
        )
    measured = tickets.filter(**{f"{column}__isnull": False})
    if priority:
        measured = measured.filter(priority=priority)
    policies = sla_inputs(measured)
    targets = _targets(policies)
    slowest = measured.order_by(f"-{column}", "pk")[:EVIDENCE_LIMIT]
    evidence, more = _capped((_outcome(t, clock, targets) for t in slowest), count)
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
    refusal = _not_a_client(counterparty) or _bad_priority(params["priority"])
    if refusal:
        return refusal
    start, end = _bounds(counterparty, period)
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
    refusal = _not_a_client(counterparty) or _bad_priority(params["priority"])
    if refusal:
        return refusal
    start, end = _bounds(counterparty, period)
    tickets = stats.counted_tickets([counterparty]).filter(
        resolved_at__gte=start, resolved_at__lt=end, status__in=stats.DONE
    )
    return _mean_time(counterparty, period, params["priority"], "resolution", tickets)


# --- Backlog -------------------------------------------------------------------------------------


@measure(
    key="servicedesk.backlog_age",
    name="Open tickets older than a number of days",
    unit="tickets",
    category=Category.SERVICE_DELIVERY,
    params={"days": 30},
)
def backlog_age(counterparty: Any, period: Period, params: Mapping[str, Any]) -> MeasureResult:
    """How many of the client's tickets open at the end of the period (now, while it runs)
    had been open longer than ``days`` days; the inputs hold the whole age distribution."""
    if (refusal := _not_a_client(counterparty)) is not None:
        return refusal
    days = params["days"]
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        return MeasureResult(None, note=f"days must be a whole number of days, not {days!r}.")
    _, end = _bounds(counterparty, period)
    at = min(end, timezone.now())
    if not stats.counted_tickets([counterparty]).filter(created_at__lt=at).exists():
        return MeasureResult(None, note="The client had no tickets by then.")
    rows = stats.backlog_age(at, [counterparty])
    row = rows[0] if rows else stats.BacklogRow(counterparty.pk, 0, {}, None)
    old = stats.open_at(at, [counterparty]).filter(created_at__lte=at - timedelta(days=days))
    count = old.count()
    evidence, more = _capped(
        (
            ticket_evidence(t, f"open {(at - t.created_at).days} days, {t.get_status_display()}")
            for t in old.order_by("created_at", "pk")[:EVIDENCE_LIMIT]
        ),
        count,
    )
    return MeasureResult(
        count,
        evidence=evidence,
        inputs={
            "at": at.isoformat(),
            "days": days,
            "open": row.open,
            "by_age": row.buckets,
        },
        note=more,
    )


# --- Reopens and first-contact resolution --------------------------------------------------------


def _rate(
    row: stats.RateRow | None, period: Period, evidence: list[Evidence], listed_of: int
) -> MeasureResult:
    """A percentage of tickets opened and resolved; ``evidence`` lists up to
    ``EVIDENCE_LIMIT`` of the ``listed_of`` tickets it draws from."""
    if row is None or not row.whole:
        return MeasureResult(None, note=f"No tickets opened in {period.label} are resolved yet.")
    shown, more = _capped(evidence, listed_of)
    return MeasureResult(
        row.percent, evidence=shown, inputs={"part": row.part, "whole": row.whole}, note=more
    )


def _first(rows: list[Any]) -> Any:
    return rows[0] if rows else None


@measure(
    key="servicedesk.reopen_rate",
    name="Resolved tickets reopened",
    unit="%",
    category=Category.SERVICE_DELIVERY,
)
def reopen_rate(counterparty: Any, period: Period, params: Mapping[str, Any]) -> MeasureResult:
    """Share of the tickets opened in the period and resolved at least once that were
    reopened (by the client's reply or by staff) at least once."""
    if (refusal := _not_a_client(counterparty)) is not None:
        return refusal
    start, end = _bounds(counterparty, period)
    row = _first(stats.reopen_rate(start, end, [counterparty]))
    reopened = stats.created_in(start, end, [counterparty]).filter(reopen_count__gt=0)
    evidence = [
        ticket_evidence(t, f"reopened {t.reopen_count}x")
        for t in reopened.order_by("created_at", "pk")[:EVIDENCE_LIMIT]
    ]
    return _rate(row, period, evidence, row.part if row else 0)


@measure(
    key="servicedesk.first_contact_resolution",
    name="Tickets resolved at first contact",
    unit="%",
    category=Category.SERVICE_DELIVERY,
)
def first_contact_resolution(
    counterparty: Any, period: Period, params: Mapping[str, Any]
) -> MeasureResult:
    """Share of the tickets opened in the period and resolved now that were resolved at first
    contact: never reopened, with at most one public reply from staff."""
    if (refusal := _not_a_client(counterparty)) is not None:
        return refusal
    start, end = _bounds(counterparty, period)
    row = _first(stats.first_contact_resolution(start, end, [counterparty]))
    resolved = (
        stats.created_in(start, end, [counterparty])
        .filter(status__in=stats.DONE)
        .annotate(staff_replies=stats.staff_reply_count())
        .annotate(
            first=Case(
                When(stats.first_contact_q(), then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
    )
    evidence = [
        ticket_evidence(t, _contact_detail(t))
        for t in resolved.order_by("first", "created_at", "pk")[:EVIDENCE_LIMIT]
    ]
    return _rate(row, period, evidence, row.whole if row else 0)


def _contact_detail(ticket: Any) -> str:
    replies = f"{ticket.staff_replies} staff repl{'y' if ticket.staff_replies == 1 else 'ies'}"
    if ticket.first:
        return f"resolved at first contact ({replies})"
    reopened = f", reopened {ticket.reopen_count}x" if ticket.reopen_count else ""
    return f"not at first contact: {replies}{reopened}"


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
    if (refusal := _not_a_client(counterparty)) is not None:
        return refusal
    start, end = _bounds(counterparty, period)
    row = _first(stats.csat(start, end, [counterparty]))
    if row is None or not row.rated:
        return MeasureResult(None, note=f"No survey was answered in {period.label}.")
    answered = counted_surveys(counterparty).filter(
        answered_at__gte=start, answered_at__lt=end, rating__isnull=False
    )
    evidence, more = _capped(
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
    if (refusal := _not_a_client(counterparty)) is not None:
        return refusal
    start, end = _bounds(counterparty, period)
    row = _first(stats.csat(start, end, [counterparty]))
    if row is None or not row.sent:
        return MeasureResult(None, note=f"No survey was sent in {period.label}.")
    sent = counted_surveys(counterparty).filter(sent_at__gte=start, sent_at__lt=end)
    # Unanswered first: those are what the rate is short of.
    evidence, more = _capped(
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
