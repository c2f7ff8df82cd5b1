"""Watchers, links between tickets (and to assets and alerts), and merging duplicates."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from steward.core.validation import save_validated
from steward.servicedesk.choices import DONE_STATUSES, EventKind, LinkKind, Status
from steward.servicedesk.models import Attachment, Ticket, TicketEvent, TicketLink
from steward.servicedesk.services.tickets import change_status, record_event
from steward.tenancy.models import Client, User
from steward.tenancy.scoping import is_active_staff

TICKET_LINK_KINDS = frozenset(
    {LinkKind.RELATED, LinkKind.DUPLICATE, LinkKind.CAUSED_BY, LinkKind.PARENT}
)


def add_watcher(
    ticket: Ticket, user: User, *, by: User | None = None, at: datetime | None = None
) -> None:
    """Copy ``user`` on the ticket's public replies and status changes."""
    if not Client.objects.visible_to(user).filter(pk=ticket.client_id).exists():
        raise ValidationError({"user": f"{user} cannot see this client's tickets"})
    if ticket.watchers.filter(pk=user.pk).exists():
        raise ValidationError({"user": f"{user} already watches this ticket"})
    with transaction.atomic():
        ticket.watchers.add(user)
        record_event(
            ticket, EventKind.WATCHER, at=at or timezone.now(), by=by, to_value=user.get_username()
        )


def remove_watcher(
    ticket: Ticket, user: User, *, by: User | None = None, at: datetime | None = None
) -> None:
    if not ticket.watchers.filter(pk=user.pk).exists():
        raise ValidationError({"user": f"{user} does not watch this ticket"})
    with transaction.atomic():
        ticket.watchers.remove(user)
        record_event(
            ticket,
            EventKind.WATCHER,
            at=at or timezone.now(),
            by=by,
            from_value=user.get_username(),
        )


def link(
    ticket: Ticket,
    kind: str,
    *,
    target: Ticket | None = None,
    reference: str = "",
    by: User | None = None,
    at: datetime | None = None,
) -> TicketLink:
    """Link ``ticket`` to another ticket of the same client, or to an asset or alert by id."""
    if kind not in LinkKind.values:
        raise ValidationError({"kind": f"unknown link kind {kind!r}"})
    if kind in TICKET_LINK_KINDS:
        if target is None:
            raise ValidationError({"target": "name the ticket to link to"})
        if target.pk == ticket.pk:
            raise ValidationError({"target": "a ticket cannot link to itself"})
        if target.client_id != ticket.client_id:
            raise ValidationError({"target": "the ticket belongs to another client"})
        reference = ""
    else:
        if not reference.strip():
            raise ValidationError({"reference": f"name the {kind} to link to"})
        target = None
    with transaction.atomic():
        made = save_validated(
            TicketLink(
                client_id=ticket.client_id,
                ticket=ticket,
                kind=kind,
                target=target,
                reference=reference.strip(),
            )
        )
        record_event(
            ticket,
            EventKind.LINK,
            at=at or timezone.now(),
            by=by,
            to_value=f"#{target.pk}" if target else reference.strip(),
            data={"kind": kind},
        )
    return made


def merge(duplicate: Ticket, into: Ticket, *, by: User, at: datetime | None = None) -> Ticket:
    """Merge ``duplicate`` into ``into``: its conversation is copied as a note, its requester and
    watchers follow, attachments move, and the duplicate is closed pointing at the survivor."""
    at = at or timezone.now()
    if not is_active_staff(by):
        raise ValidationError({"by": "only MSP staff merge tickets"})
    if duplicate.pk == into.pk:
        raise ValidationError({"into": "a ticket cannot be merged into itself"})
    if duplicate.client_id != into.client_id:
        raise ValidationError({"into": "the ticket belongs to another client"})
    if duplicate.merged_into_id is not None:
        raise ValidationError({"ticket": f"already merged into #{duplicate.merged_into_id}"})
    if into.merged_into_id is not None or into.status == Status.CLOSED:
        raise ValidationError({"into": "merge into an open ticket"})
    conversation = _transcript(duplicate)
    with transaction.atomic():
        Attachment.objects.filter(ticket=duplicate).update(ticket=into)
        into.watchers.add(*duplicate.watchers.all())
        record_event(
            into,
            EventKind.MERGED,
            at=at,
            by=by,
            from_value=f"#{duplicate.pk}",
            body=conversation,
            data={"merged": duplicate.pk},
        )
        save_validated(
            TicketLink(
                client_id=into.client_id, ticket=duplicate, kind=LinkKind.DUPLICATE, target=into
            )
        )
        duplicate.merged_into = into
        duplicate.save(update_fields=["merged_into"])
        record_event(duplicate, EventKind.MERGED, at=at, by=by, to_value=f"#{into.pk}")
        if duplicate.status not in DONE_STATUSES:
            _close_as_merged(duplicate, into, by, at)
    return into


def _close_as_merged(duplicate: Ticket, into: Ticket, by: User, at: datetime) -> None:
    change_status(duplicate, Status.RESOLVED, by=by, reason=f"merged into #{into.pk}", at=at)
    change_status(duplicate, Status.CLOSED, by=by, reason=f"merged into #{into.pk}", at=at)


def _transcript(ticket: Ticket) -> str:
    lines = [f"Merged from #{ticket.pk}: {ticket.subject}"]
    for event in TicketEvent.objects.filter(
        ticket=ticket, kind__in=(EventKind.CREATED, EventKind.REPLY, EventKind.NOTE)
    ):
        if event.body:
            lines.append(f"--- {event.author}, {event.at:%Y-%m-%d %H:%M} UTC ---\n{event.body}")
    return "\n\n".join(lines)
