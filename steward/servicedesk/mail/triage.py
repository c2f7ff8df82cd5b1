"""The triage queue's verbs: a person decides what a message from an unknown sender (or one
that could not be read) becomes: a ticket for a client, a part of a ticket, or nothing.

Each verb first claims the message by compare-and-set (still in triage?), so two people acting
on it at once never make two tickets; the claim and the work commit together.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from steward.servicedesk import services
from steward.servicedesk.choices import MailDirection, MailDisposition
from steward.servicedesk.mail import replies
from steward.servicedesk.mail.inbound import queue_for
from steward.servicedesk.mail.parse import ParsedMail, parse
from steward.servicedesk.mail.store import LIMITS, clean_text, read_raw
from steward.servicedesk.models import MailMessage, Ticket, TicketEvent
from steward.tenancy.models import Client, Contact, User


def in_triage(user: Any) -> QuerySet[MailMessage]:
    """Received messages waiting for a person (never tied to a client yet) that ``user`` sees:
    staff only, since they belong to no client."""
    return MailMessage.objects.visible_to(user).filter(
        direction=MailDirection.IN, disposition=MailDisposition.TRIAGE, client__isnull=True
    )


def _claim(mail: MailMessage, disposition: str, reason: str, ticket: Ticket | None = None) -> None:
    claimed = MailMessage.objects.filter(pk=mail.pk, disposition=MailDisposition.TRIAGE).update(
        disposition=disposition,
        reason=clean_text(reason, LIMITS["reason"]),
        ticket=ticket,
        client_id=ticket.client_id if ticket is not None else None,
    )
    if claimed != 1:
        raise ValidationError({"message": "someone has already handled this message"})
    mail.refresh_from_db()


def _parsed(mail: MailMessage) -> ParsedMail:
    raw = read_raw(mail)
    if raw is None:
        raise ValidationError({"message": "the stored message is missing"})
    return parse(raw, mail.raw_sha256)


def ticket_from_triage(mail: MailMessage, client: Client, *, by: User, now: datetime) -> Ticket:
    """Open a ticket for ``client`` from a triaged message, with its attachments; the sender
    becomes the requester when it is one of the client's contacts."""
    parsed = _parsed(mail)
    contact = Contact.objects.filter(client=client, email__iexact=parsed.from_address).first()
    with transaction.atomic():
        _claim(mail, MailDisposition.NEW_TICKET, f"made a ticket by {by.get_username()}")
        queue = queue_for(mail.to_addresses.split(", "))
        ticket = replies.open_from_mail(client, parsed, queue, now, contact=contact, by=by)
        MailMessage.objects.filter(pk=mail.pk).update(ticket=ticket, client=client)
    mail.refresh_from_db()
    return ticket


def add_triage_to_ticket(
    mail: MailMessage, ticket: Ticket, *, by: User, now: datetime
) -> TicketEvent:
    """Add a triaged message to ``ticket``: as the contact's reply when the sender is a contact
    of the ticket's client, else as an internal note (someone outside the client wrote it, so
    it is not shown to the client nor mailed to anyone)."""
    parsed = _parsed(mail)
    contact = Contact.objects.filter(
        client_id=ticket.client_id, email__iexact=parsed.from_address
    ).first()
    with transaction.atomic():
        _claim(mail, MailDisposition.REPLY, f"added to #{ticket.pk} by {by.get_username()}", ticket)
        if contact is not None:
            return replies.add_reply(ticket, contact, parsed, now)
        text = clean_text(parsed.text).strip() or replies.NO_TEXT
        event = services.reply(
            ticket,
            f"Mail from {parsed.from_address or 'an unknown sender'}:\n\n{text}",
            by=by,
            public=False,
            at=now,
            data=replies.mail_data(parsed),
        )
        skipped = replies.attach_all(ticket, parsed, event, by)
        if skipped:
            services.reply(
                ticket, "Attachments not kept:\n" + "\n".join(skipped), by=by, public=False, at=now
            )
        return event


def discard_triage(mail: MailMessage, *, by: User) -> None:
    """Drop a triaged message (it stays recorded, with who discarded it)."""
    with transaction.atomic():
        _claim(mail, MailDisposition.REJECTED, f"discarded by {by.get_username()}")
