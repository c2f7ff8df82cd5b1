"""Mail the client when the desk answers: public staff replies and resolutions go to the
requester and the watchers, after the verb's transaction commits (a rolled-back reply never
sends; a failed send never undoes the reply)."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.db import transaction
from django.dispatch import receiver

from steward.servicedesk.choices import EventKind, Status
from steward.servicedesk.mail.outbound import send_ticket_mail
from steward.servicedesk.mail.text import REPLY_MARKER
from steward.servicedesk.models import Ticket, TicketEvent
from steward.servicedesk.signals import event_recorded

log = logging.getLogger(__name__)


def recipients(ticket: Ticket) -> list[str]:
    """The requester and the watchers who have an address."""
    found = [ticket.requester.email] if ticket.requester is not None else []
    found += [w.email for w in ticket.watchers.all() if w.email]
    return found


def should_mail(event: TicketEvent) -> bool:
    if event.kind == EventKind.REPLY:
        return event.public and event.by_staff
    return event.kind == EventKind.STATUS and event.to_value == Status.RESOLVED


def compose(ticket: Ticket, event: TicketEvent) -> tuple[str, str]:
    """(subject, text) of the mail for ``event``."""
    if event.kind == EventKind.REPLY:
        text = event.body
    else:
        text = f"Ticket #{ticket.pk} is resolved."
        if event.body:
            text += f"\n\n{event.body}"
        text += "\n\nIf the problem is not solved, reply to this mail and we reopen it."
    return ticket.subject, f"{REPLY_MARKER}\n\n{text}\n\n-- \n{event.author}, ticket #{ticket.pk}"


def mail_event(ticket_id: int, event_id: int, at: datetime) -> None:
    """Send the mail for one event (runs after commit; never raises into anything)."""
    try:
        ticket = Ticket.objects.select_related("requester", "queue").get(pk=ticket_id)
        event = TicketEvent.objects.select_related("actor", "actor_contact").get(pk=event_id)
        to = recipients(ticket)
        if to:
            subject, text = compose(ticket, event)
            send_ticket_mail(ticket, to=to, subject=subject, text=text, now=at)
    except Exception:  # logged; the reply itself is already committed
        log.exception("mail for event %s of ticket #%s failed", event_id, ticket_id)


@receiver(event_recorded, dispatch_uid="servicedesk.mail.outgoing")
def on_event(sender: Any, ticket: Ticket, event: TicketEvent, **kwargs: Any) -> None:
    if should_mail(event):
        # The event's time, not the clock's: the mail belongs where the reply is in the thread.
        transaction.on_commit(lambda: mail_event(ticket.pk, event.pk, event.at))
