"""SLA clocks of tickets, derived from their event log (``steward.servicedesk.sla``).

The state columns on ``Ticket`` are a cache of ``compute_sla(events, terms, now)``: every verb
that adds an event calls ``refresh_sla``, and ``recompute_sla`` replays whole clients after a
policy or calendar correction, writing each change to the audit log.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction

from steward.agreements.models import Agreement, SlaPolicy, SlaTarget
from steward.core import audit
from steward.core.businesstime import compile_calendar
from steward.servicedesk.choices import EventKind, Status
from steward.servicedesk.models import Ticket, TicketEvent
from steward.servicedesk.sla import (
    ClockEvent,
    ClockEventKind,
    SlaState,
    SlaTerms,
    compute_sla,
    next_deadline,
)
from steward.tenancy.models import Client

# The ticket columns that hold the SLA state, in the order the audit log shows them.
SLA_FIELDS = (
    "sla_policy_id",
    "response_due_at",
    "plan_due_at",
    "resolution_due_at",
    "responded_at",
    "planned_at",
    "resolved_at",
    "response_met",
    "plan_met",
    "resolution_met",
    "business_seconds_to_response",
    "business_seconds_to_resolution",
    "paused_business_seconds",
    "sla_paused",
    "sla_warning_at",
    "next_deadline_at",
    "next_deadline_kind",
    "sla_announced",
)
# Columns that move as the clocks run or the job announces; the rest are outcomes.
BOOKKEEPING = frozenset({"next_deadline_at", "next_deadline_kind", "sla_paused", "sla_announced"})
# Events that move a clock; the rest of the timeline never changes the SLA state.
CLOCK_EVENT_KINDS = (EventKind.CREATED, EventKind.STATUS, EventKind.REPLY, EventKind.PLAN)


def agreement_for(client: Client | int, at: datetime) -> Agreement | None:
    """The client's agreement governing a ticket opened at ``at``: the latest one started by
    then (agreements are dated in their own zone; a day's slack is harmless here)."""
    client_id = client if isinstance(client, int) else client.pk
    return (
        Agreement.objects.filter(client_id=client_id, start_date__lte=at.date())
        .order_by("-start_date", "-pk")
        .first()
    )


@dataclass(frozen=True)
class ResolvedTerms:
    policy: SlaPolicy
    terms: SlaTerms


class TermsCache:
    """SLA terms per (policy version, priority), so replaying thousands of tickets reads each
    agreement's policy versions once and compiles each calendar once."""

    def __init__(self) -> None:
        self._versions: dict[int, list[SlaPolicy]] = {}
        self._terms: dict[tuple[int, str], SlaTerms | None] = {}

    def policy(self, agreement_id: int | None, at: datetime) -> SlaPolicy | None:
        """The version in effect at ``at`` (``agreements.sla.policy_in_effect``, in memory)."""
        if agreement_id is None:
            return None
        if agreement_id not in self._versions:
            self.preload([agreement_id])
        return next(
            (
                p
                for p in self._versions[agreement_id]
                if p.effective_from <= at and (p.effective_until is None or p.effective_until > at)
            ),
            None,
        )

    def preload(self, agreement_ids: Iterable[int | None]) -> None:
        """Read the policy versions of these agreements (and their targets) in two queries."""
        ids = [pk for pk in set(agreement_ids) if pk is not None and pk not in self._versions]
        for pk in ids:
            self._versions[pk] = []
        policies = (
            SlaPolicy.objects.filter(agreement_id__in=ids)
            .select_related("calendar")
            .prefetch_related("targets__calendar")
            .order_by("-version")
        )
        for policy in policies:
            self._versions[policy.agreement_id].append(policy)

    def terms(self, policy: SlaPolicy, priority: str) -> SlaTerms | None:
        key = (policy.pk, priority)
        if key not in self._terms:
            self._terms[key] = _terms_of(policy, priority)
        return self._terms[key]

    def for_ticket(self, ticket: Ticket) -> ResolvedTerms | None:
        policy = self.policy(ticket.agreement_id, ticket.created_at)
        if policy is None:
            return None
        terms = self.terms(policy, ticket.priority)
        return ResolvedTerms(policy, terms) if terms is not None else None


def _terms_of(policy: SlaPolicy, priority: str) -> SlaTerms | None:
    target: SlaTarget | None = next(
        (t for t in policy.targets.all() if t.priority == priority), None
    )
    if target is None:
        return None
    calendar = target.calendar if target.calendar_id is not None else policy.calendar
    assert calendar is not None
    return SlaTerms(
        response_seconds=target.response_seconds,
        resolution_seconds=target.resolution_seconds,
        plan_seconds=target.plan_seconds,
        warning_percent=policy.warning_percent,
        pause_statuses=frozenset(policy.pause_statuses),
        calendar=compile_calendar(calendar.calendar_spec()),
    )


def clock_events(events: Iterable[TicketEvent]) -> list[ClockEvent]:
    """The events that move clocks: creation, status changes, the MSP's public replies and
    resolution plans. Replies by the client's own contacts are not responses."""
    clock: list[ClockEvent] = []
    for event in events:
        if event.kind == EventKind.CREATED:
            clock.append(ClockEvent(event.at, ClockEventKind.CREATED, event.to_value or Status.NEW))
        elif event.kind == EventKind.STATUS:
            clock.append(ClockEvent(event.at, ClockEventKind.STATUS, event.to_value))
        elif event.kind == EventKind.REPLY and event.public and event.by_staff:
            clock.append(ClockEvent(event.at, ClockEventKind.RESPONSE))
        elif event.kind == EventKind.PLAN:
            clock.append(ClockEvent(event.at, ClockEventKind.PLAN))
    return clock


def state_columns(
    state: SlaState | None, policy: SlaPolicy | None, announced: Iterable[str] = ()
) -> dict[str, Any]:
    """The ticket column values for an SLA state (all empty when the ticket has no SLA), the
    next deadline being the earliest not in ``announced``."""
    if state is None:
        return dict.fromkeys(SLA_FIELDS) | {
            "paused_business_seconds": 0,
            "sla_paused": False,
            "next_deadline_kind": "",
            "sla_announced": sorted(announced),
        }
    coming = next_deadline(state.deadlines, announced)
    return {
        "sla_policy_id": policy.pk if policy else None,
        "response_due_at": state.response_due_at,
        "plan_due_at": state.plan_due_at,
        "resolution_due_at": state.resolution_due_at,
        "responded_at": state.responded_at,
        "planned_at": state.planned_at,
        "resolved_at": state.resolved_at,
        "response_met": state.response_met,
        "plan_met": state.plan_met,
        "resolution_met": state.resolution_met,
        "business_seconds_to_response": state.business_seconds_to_response,
        "business_seconds_to_resolution": state.business_seconds_to_resolution,
        "paused_business_seconds": state.paused_business_seconds,
        "sla_paused": state.paused,
        "sla_warning_at": state.warning_at,
        "next_deadline_at": coming.known_at if coming else None,
        "next_deadline_kind": coming.kind if coming else "",
        "sla_announced": sorted(announced),
    }


def settled(state: SlaState | None, now: datetime) -> set[str]:
    """The deadline kinds already reached at ``now``, with the warnings their breaches
    superseded: history that an import, the demo or a correction brings in is not news."""
    if state is None:
        return set()
    reached = {d.kind for d in state.deadlines if d.known_at <= now}
    return reached | {k.replace("_breach", "_warning") for k in reached if k.endswith("_breach")}


def sla_state(
    ticket: Ticket, events: Sequence[TicketEvent], now: datetime, cache: TermsCache | None = None
) -> tuple[SlaState | None, SlaPolicy | None]:
    """The SLA state of ``ticket`` at ``now`` from its events, and the policy it came from."""
    resolved = (cache or TermsCache()).for_ticket(ticket)
    if resolved is None:
        return None, None
    return compute_sla(clock_events(events), resolved.terms, now), resolved.policy


def compute_columns(
    ticket: Ticket,
    events: Sequence[TicketEvent],
    now: datetime,
    cache: TermsCache | None = None,
    settle: bool = False,
) -> dict[str, Any]:
    """What the SLA columns of ``ticket`` should hold, from its events, at ``now``; ``settle``
    marks the deadlines already reached as announced (see ``settled``)."""
    state, policy = sla_state(ticket, events, now, cache)
    announced = set(getattr(ticket, "sla_announced", None) or ())
    if settle:
        announced |= settled(state, now)
    return state_columns(state, policy, announced)


def refresh_sla(ticket: Ticket, now: datetime, cache: TermsCache | None = None) -> list[str]:
    """Recompute the SLA columns of ``ticket`` from its events and save those that changed;
    returns the changed field names."""
    # The escalation job writes these columns in its own transaction: compare with (and build
    # on) what is stored, not with what this object held when it was read.
    ticket.refresh_from_db(fields=[_field(name) for name in SLA_FIELDS])
    events = list(ticket.events.filter(kind__in=CLOCK_EVENT_KINDS).order_by("at", "pk"))
    columns = compute_columns(ticket, events, now, cache)
    changed = [name for name, value in columns.items() if getattr(ticket, name) != value]
    if changed:
        for name in changed:
            setattr(ticket, name, columns[name])
        ticket.save(update_fields=[_field(name) for name in changed])
    return changed


def _field(name: str) -> str:
    return name.removesuffix("_id") if name == "sla_policy_id" else name


@dataclass(frozen=True)
class Recomputed:
    ticket_id: int
    changes: dict[str, tuple[Any, Any]]


def recompute_sla(
    now: datetime,
    client: Client | None = None,
    batch_size: int = 500,
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[Recomputed]:
    """Replay the clocks of every ticket (of one client) and store the results; yields each
    ticket whose SLA state changed, with before/after, after writing it to the audit log.

    Tickets keep the agreement they were opened under; the policy version is looked up again,
    so a corrected policy or calendar applies to every ticket it governs.
    """
    scope = Ticket.objects.all() if client is None else Ticket.objects.filter(client=client)
    cache = TermsCache()
    ids = list(scope.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch_size):
        chunk = ids[start : start + batch_size]
        by_ticket: dict[int, list[TicketEvent]] = {pk: [] for pk in chunk}
        for event in TicketEvent.objects.filter(
            ticket_id__in=chunk, kind__in=CLOCK_EVENT_KINDS
        ).order_by("at", "pk"):
            by_ticket[event.ticket_id].append(event)
        tickets = list(Ticket.objects.filter(pk__in=chunk).order_by("pk"))
        cache.preload(t.agreement_id for t in tickets)
        for ticket in tickets:
            change = _recompute_one(ticket, by_ticket[ticket.pk], now, cache)
            if change is not None:
                yield change
        if progress is not None:
            progress(min(start + batch_size, len(ids)), len(ids))


def _recompute_one(
    ticket: Ticket, events: list[TicketEvent], now: datetime, cache: TermsCache
) -> Recomputed | None:
    # A correction rewrites history: deadlines it moves into the past are not announced.
    columns = compute_columns(ticket, events, now, cache, settle=True)
    changes = {
        name: (getattr(ticket, name), value)
        for name, value in columns.items()
        if getattr(ticket, name) != value
    }
    # The next deadline moves with every pass while a clock runs; only outcomes are news.
    material = {k: v for k, v in changes.items() if k not in BOOKKEEPING}
    if not changes:
        return None
    with transaction.atomic():
        Ticket.objects.filter(pk=ticket.pk).update(**columns)
        if material:
            audit.record(
                audit.AuditAction.UPDATE,
                object_type="servicedesk.ticket",
                object_id=str(ticket.pk),
                object_repr=f"SLA recompute of {ticket}",
                client_id=ticket.client_id,
                before={k: v[0] for k, v in material.items()},
                after={k: v[1] for k, v in material.items()},
            )
            TicketEvent.objects.create(
                ticket=ticket,
                client_id=ticket.client_id,
                at=now,
                kind=EventKind.SLA_RECOMPUTED,
                data={"changed": sorted(material)},
            )
    return Recomputed(ticket.pk, changes) if material else None
