"""Received mail onto tickets, through the service verbs: a new ticket with an acknowledgement,
a reply from a contact, the attachments (too large ones skipped, with a note on the ticket and
a notice to the sender)."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from steward.servicedesk import services
from steward.servicedesk.choices import EventKind, Source
from steward.servicedesk.mail.outbound import send_ticket_mail
from steward.servicedesk.mail.parse import ParsedMail
from steward.servicedesk.mail.store import clean_text
from steward.servicedesk.mail.text import strip_quoted
from steward.servicedesk.models import Queue, Ticket, TicketEvent
from steward.servicedesk.services.attachments import max_attachment_bytes
from steward.tenancy.models import Client, Contact, User

AUTO_REPLY_HEADERS = {"Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All"}
MAX_HTML = 200_000
NO_TEXT = "(the message has no text)"


def mail_data(parsed: ParsedMail) -> dict[str, Any]:
    """What the timeline keeps of the mail beside its text: the sanitised HTML, the sender."""
    data: dict[str, Any] = {"message_id": parsed.message_id, "from": parsed.from_address}
    if parsed.html:
        data["html"] = clean_text(parsed.html, MAX_HTML)
    return data


def attach_all(
    ticket: Ticket, parsed: ParsedMail, event: TicketEvent | None, by: User | None = None
) -> list[str]:
    """Attach every file of the message; return what was skipped and why."""
    limit = max_attachment_bytes()
    skipped = []
    for attached in parsed.attachments:
        if len(attached.data) > limit:
            skipped.append(
                f"{clean_text(attached.filename, 200)} ({len(attached.data):,} bytes; "
                f"the limit is {limit:,} bytes)"
            )
            continue
        try:
            services.add_attachment(ticket, attached.filename, attached.data, event=event, by=by)
        except ValidationError as exc:
            skipped.append(f"{clean_text(attached.filename, 200)} ({'; '.join(exc.messages)})")
    return skipped


def _note_skipped(ticket: Ticket, skipped: list[str], now: datetime) -> None:
    if skipped:
        listing = "\n".join(f"- {line}" for line in skipped)
        services.reply(
            ticket, f"Attachments not kept from the mail:\n{listing}", public=False, at=now
        )


def _skipped_text(skipped: list[str]) -> str:
    if not skipped:
        return ""
    listing = "\n".join(f"- {line}" for line in skipped)
    return f"\n\nThese attachments were too large and were not added:\n{listing}\n"


def _mail_after_commit(ticket: Ticket, to: str, subject: str, text: str, now: datetime) -> None:
    send = partial(
        send_ticket_mail,
        ticket,
        to=[to],
        subject=subject,
        text=text,
        now=now,
        headers=AUTO_REPLY_HEADERS,
    )
    transaction.on_commit(send, robust=True)  # a failure is logged, never raised into the caller


def open_from_mail(
    client: Client,
    parsed: ParsedMail,
    queue: Queue | None,
    now: datetime,
    *,
    contact: Contact | None,
    by: User | None = None,
) -> Ticket:
    """Open a ticket for ``client`` from the message (by the contact who wrote it, or by
    staff from the triage queue), and acknowledge it to the contact."""
    subject = clean_text(parsed.subject, 255) or "(no subject)"
    ticket = services.open_ticket(
        client,
        subject=subject,
        description=clean_text(parsed.text).strip(),
        requester=contact,
        source=Source.EMAIL,
        by=by,
        by_contact=contact if by is None else None,
        at=now,
        queue=queue,
    )
    created = ticket.events.get(kind=EventKind.CREATED)
    # open_ticket takes no event data; the mail's goes on the creation event in the same
    # transaction, before anyone can read it.
    TicketEvent.objects.filter(pk=created.pk).update(data={**created.data, **mail_data(parsed)})
    skipped = attach_all(ticket, parsed, created, by)
    _note_skipped(ticket, skipped, now)
    if contact is not None:
        text = (
            f"Hello {contact.first_name},\n\n"
            f"we have received your message and opened ticket #{ticket.pk}: {subject}\n\n"
            f"Reply to this mail to add to the ticket; keep [#{ticket.pk}] in the subject."
            f"{_skipped_text(skipped)}"
        )
        _mail_after_commit(ticket, contact.email, f"Received: {subject}", text, now)
    return ticket


def add_reply(ticket: Ticket, contact: Contact, parsed: ParsedMail, now: datetime) -> TicketEvent:
    """Add the message to ``ticket`` as the contact's reply, without its quoted history."""
    body = strip_quoted(clean_text(parsed.text)) or NO_TEXT
    event = services.reply(ticket, body, by_contact=contact, at=now, data=mail_data(parsed))
    skipped = attach_all(ticket, parsed, event)
    _note_skipped(ticket, skipped, now)
    if skipped:
        text = f"Hello {contact.first_name},\n\nyour reply was added to ticket #{ticket.pk}."
        _mail_after_commit(
            ticket,
            contact.email,
            f"Attachments not added: {ticket.subject}",
            text + _skipped_text(skipped),
            now,
        )
    return event
