"""The verbs of a ticket's life: open, reply, assign, change status, prioritise, link, merge.

Each verb validates, writes the ticket and one timeline event in one transaction, refreshes the
SLA columns from the event log and tells listeners (``signals.event_recorded``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from steward.agreements.models import ServiceCategory, StatementOfWork
from steward.core.validation import save_validated
from steward.servicedesk.choices import (
    DONE_STATUSES,
    TRANSITIONS,
    EventKind,
    Impact,
    Priority,
    Source,
    Status,
    TicketKind,
    Urgency,
    matrix_priority,
)
from steward.servicedesk.models import Ticket, TicketEvent
from steward.servicedesk.services.sla import agreement_for, refresh_sla
from steward.servicedesk.signals import event_recorded
from steward.tenancy.models import Client, Contact, Site, User
from steward.tenancy.scoping import is_active_staff

# Fields a person may change directly; status, assignee and priority have their own verbs.
EDITABLE_FIELDS = frozenset(
    {
        "subject",
        "description",
        "kind",
        "impact",
        "urgency",
        "category",
        "site",
        "requester",
        "queue",
    }
)
PAUSE_REASON_REQUIRED = frozenset({Status.WAITING_ON_CLIENT, Status.WAITING_ON_VENDOR})


def _now(at: datetime | None) -> datetime:
    return at if at is not None else timezone.now()


def record_event(
    ticket: Ticket,
    kind: str,
    *,
    at: datetime,
    by: User | None = None,
    by_contact: Contact | None = None,
    from_value: str = "",
    to_value: str = "",
    body: str = "",
    public: bool = False,
    data: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> TicketEvent:
    """Append one event to the timeline, refresh the SLA state and notify listeners."""
    event = TicketEvent.objects.create(
        ticket=ticket,
        client_id=ticket.client_id,
        at=at,
        kind=kind,
        actor=by,
        actor_contact=by_contact,
        from_value=from_value,
        to_value=to_value,
        body=body,
        public=public,
        data=data or {},
    )
    Ticket.objects.filter(pk=ticket.pk).update(updated_at=at)
    ticket.updated_at = at
    refresh_sla(ticket, max(_now(now), at))
    event_recorded.send(sender=Ticket, ticket=ticket, event=event)
    return event


def in_scope(client: Client, category: ServiceCategory | None, at: datetime) -> bool | None:
    """Whether a ticket in ``category`` is covered by a statement of work current at ``at``
    (None when it has no category, or the client has no SOW to judge by)."""
    if category is None:
        return None
    day = at.date()
    sows = StatementOfWork.objects.filter(client=client, start_date__lte=day).exclude(
        end_date__lt=day
    )
    if not sows.exists():
        return None
    offering = category.offering_id
    if sows.filter(excluded_offerings=offering).exists():
        return False
    return sows.filter(included_offerings=offering).exists()


def _check_priority(ticket: Ticket, priority: str | None, reason: str) -> None:
    matrix = matrix_priority(ticket.impact, ticket.urgency)
    if priority is None or priority == matrix:
        ticket.priority, ticket.priority_reason = matrix, ""
        return
    if not reason.strip():
        raise ValidationError(
            {"priority_reason": f"give a reason for {priority} instead of the matrix's {matrix}"}
        )
    ticket.priority, ticket.priority_reason = priority, reason.strip()


def open_ticket(
    client: Client,
    *,
    subject: str,
    description: str = "",
    kind: str = TicketKind.INCIDENT,
    impact: str = Impact.LOW,
    urgency: str = Urgency.MEDIUM,
    priority: str | None = None,
    priority_reason: str = "",
    category: ServiceCategory | None = None,
    site: Site | None = None,
    requester: Contact | None = None,
    source: str = Source.STAFF,
    by: User | None = None,
    by_contact: Contact | None = None,
    at: datetime | None = None,
    **extra: Any,
) -> Ticket:
    """Open a ticket for ``client`` under the agreement in force, with its SLA clocks started.

    ``priority`` overrides the impact x urgency matrix and then needs ``priority_reason``.
    """
    at = _now(at)
    if site is not None and site.client_id != client.pk:
        raise ValidationError({"site": "the site belongs to another client"})
    if requester is not None and requester.client_id != client.pk:
        raise ValidationError({"requester": "the contact belongs to another client"})
    agreement = agreement_for(client, at)
    ticket = Ticket(
        client=client,
        subject=subject,
        description=description,
        kind=kind,
        impact=impact,
        urgency=urgency,
        category=category,
        site=site,
        requester=requester,
        source=source,
        agreement=agreement,
        in_scope=in_scope(client, category, at),
        created_at=at,
        updated_at=at,
        **extra,
    )
    if impact in Impact.values and urgency in Urgency.values:
        _check_priority(ticket, priority, priority_reason)
    with transaction.atomic():
        save_validated(ticket)
        record_event(
            ticket,
            EventKind.CREATED,
            at=at,
            by=by,
            by_contact=by_contact,
            to_value=Status.NEW,
            body=description,
            public=True,
            data={"source": source, "priority": ticket.priority},
        )
    return ticket


def change_status(
    ticket: Ticket,
    status: str,
    *,
    by: User | None = None,
    by_contact: Contact | None = None,
    reason: str = "",
    at: datetime | None = None,
) -> TicketEvent:
    """Move ``ticket`` along the workflow. Entering a waiting status pauses the SLA clocks when
    the policy says so, and needs a reason (it is on the timeline, with who did it); leaving
    resolved or closed is a reopen."""
    at = _now(at)
    old = ticket.status
    if status not in Status.values:
        raise ValidationError({"status": f"unknown status {status!r}"})
    if status == old:
        raise ValidationError({"status": f"the ticket is already {Status(old).label.lower()}"})
    if status not in TRANSITIONS[old]:
        move = f"{Status(old).label.lower()} to {Status(status).label.lower()}"
        raise ValidationError({"status": f"cannot go from {move}"})
    if status in PAUSE_REASON_REQUIRED and by is not None and not reason.strip():
        raise ValidationError({"reason": "say what the ticket is waiting for"})
    with transaction.atomic():
        ticket.status = status
        fields = ["status"]
        if old in DONE_STATUSES and status not in DONE_STATUSES:
            ticket.reopen_count += 1
            ticket.closed_at = None
            fields += ["reopen_count", "closed_at"]
        elif status == Status.CLOSED:
            ticket.closed_at = at
            fields.append("closed_at")
        ticket.save(update_fields=fields)
        return record_event(
            ticket,
            EventKind.STATUS,
            at=at,
            by=by,
            by_contact=by_contact,
            from_value=old,
            to_value=status,
            body=reason.strip(),
            data={"reopen": True} if old in DONE_STATUSES else None,
        )


def reply(
    ticket: Ticket,
    body: str,
    *,
    by: User | None = None,
    by_contact: Contact | None = None,
    public: bool = True,
    at: datetime | None = None,
    data: dict[str, Any] | None = None,
) -> TicketEvent:
    """A public reply (seen by the client, mailed to the requester) or, with ``public=False``,
    an internal note. The MSP's first public reply answers the response clock. A reply from
    the client resumes a ticket waiting on the client, and reopens a resolved one."""
    at = _now(at)
    if not body.strip():
        raise ValidationError({"body": "the reply is empty"})
    if by_contact is not None:
        if by_contact.client_id != ticket.client_id:
            raise ValidationError({"ticket": "the contact belongs to another client"})
        public = True  # clients cannot write internal notes
    with transaction.atomic():
        event = record_event(
            ticket,
            EventKind.REPLY if public else EventKind.NOTE,
            at=at,
            by=by,
            by_contact=by_contact,
            body=body,
            public=public,
            data=data,
        )
        if by_contact is not None and ticket.status in (Status.WAITING_ON_CLIENT, Status.RESOLVED):
            change_status(
                ticket, Status.IN_PROGRESS, by_contact=by_contact, reason="client replied", at=at
            )
    return event


def give_plan(ticket: Ticket, body: str, *, by: User, at: datetime | None = None) -> TicketEvent:
    """Tell the client the resolution plan (answers the plan clock when the policy has one)."""
    if not body.strip():
        raise ValidationError({"body": "the plan is empty"})
    return record_event(ticket, EventKind.PLAN, at=_now(at), by=by, body=body, public=True)


def assign(
    ticket: Ticket, assignee: User | None, *, by: User | None = None, at: datetime | None = None
) -> TicketEvent:
    """Give ``ticket`` to a technician (or take it back with None). A new ticket becomes
    assigned; an assigned one with nobody becomes new again."""
    at = _now(at)
    if assignee is not None:
        if not is_active_staff(assignee):
            raise ValidationError({"assignee": "only active MSP staff can be assigned"})
        if not Client.objects.visible_to(assignee).filter(pk=ticket.client_id).exists():
            raise ValidationError({"assignee": f"{assignee} does not work for this client"})
    if assignee == ticket.assignee:
        raise ValidationError({"assignee": "the ticket is already assigned so"})
    old = ticket.assignee
    with transaction.atomic():
        ticket.assignee = assignee
        ticket.save(update_fields=["assignee"])
        event = record_event(
            ticket,
            EventKind.ASSIGNED,
            at=at,
            by=by,
            from_value=old.get_username() if old else "",
            to_value=assignee.get_username() if assignee else "",
        )
        if assignee is not None and ticket.status == Status.NEW:
            change_status(ticket, Status.ASSIGNED, by=by, at=at)
        elif assignee is None and ticket.status == Status.ASSIGNED:
            change_status(ticket, Status.NEW, by=by, at=at)
    return event


def set_priority(
    ticket: Ticket,
    priority: str,
    *,
    reason: str = "",
    by: User | None = None,
    at: datetime | None = None,
) -> TicketEvent:
    """Override (or restore) the priority; targets of the new priority apply from creation."""
    old = ticket.priority
    if priority not in Priority.values:
        raise ValidationError({"priority": f"unknown priority {priority!r}"})
    _check_priority(ticket, priority, reason)
    if ticket.priority == old:
        raise ValidationError({"priority": f"the ticket is already {old}"})
    with transaction.atomic():
        ticket.save(update_fields=["priority", "priority_reason"])
        return record_event(
            ticket,
            EventKind.PRIORITY,
            at=_now(at),
            by=by,
            from_value=old,
            to_value=ticket.priority,
            body=ticket.priority_reason,
        )


def update_ticket(
    ticket: Ticket,
    changes: Mapping[str, Any],
    *,
    by: User | None = None,
    at: datetime | None = None,
) -> Ticket:
    """Change the subject, description, kind, impact, urgency, category, site, requester or
    queue. New impact or urgency re-derive the priority unless it was overridden; category and
    queue changes go on the timeline."""
    at = _now(at)
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        name = sorted(unknown)[0]
        raise ValidationError({name: "cannot be changed here"})
    site, requester = changes.get("site"), changes.get("requester")
    if site is not None and site.client_id != ticket.client_id:
        raise ValidationError({"site": "the site belongs to another client"})
    if requester is not None and requester.client_id != ticket.client_id:
        raise ValidationError({"requester": "the contact belongs to another client"})
    old_priority, old_category, old_queue = ticket.priority, ticket.category, ticket.queue
    for name, value in changes.items():
        setattr(ticket, name, value)
    if ("impact" in changes or "urgency" in changes) and not ticket.priority_reason:
        ticket.priority = matrix_priority(ticket.impact, ticket.urgency)
    if "category" in changes:
        ticket.in_scope = in_scope(ticket.client, ticket.category, ticket.created_at)
    with transaction.atomic():
        save_validated(ticket)
        changed = (
            (EventKind.CATEGORY, old_category, ticket.category, None),
            (EventKind.QUEUE, old_queue, ticket.queue, None),
            (EventKind.PRIORITY, old_priority, ticket.priority, {"from": "matrix"}),
        )
        for kind, old, new, data in changed:
            if old != new:
                record_event(
                    ticket, kind, at=at, by=by, from_value=str(old or ""),
                    to_value=str(new or ""), data=data,
                )  # fmt: skip
    return ticket
