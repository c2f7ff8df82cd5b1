"""Received mail: one function, ``receive``, that every intake (SMTP, IMAP) calls.

1. Keep the raw bytes under STEWARD_HOME/mail by hash, before anything can fail.
2. A message already received (same Message-ID) is recognised and not stored twice.
3. Read it (never raising), drop loops unanswered, and find the sender's contact and the ticket
   it continues; a reply joins a ticket only when its sender is a contact of that ticket's
   client, otherwise it waits in triage, as mail from unknown senders does.
4. Open the ticket or add the reply through the service verbs, keep the attachments, and
   record the MailMessage, all in one transaction; acknowledgements go out after commit.
5. Whatever fails, the message is still recorded (triage or rejected, with the reason).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from django.db import transaction

from steward.servicedesk import services
from steward.servicedesk.choices import LinkKind, MailDirection, MailDisposition, Status
from steward.servicedesk.mail import replies
from steward.servicedesk.mail.loops import loop_reason
from steward.servicedesk.mail.parse import ParsedMail, parse
from steward.servicedesk.mail.store import clean_text, keep_raw, read_raw, record_mail
from steward.servicedesk.mail.threading import find_ticket
from steward.servicedesk.models import MailMessage, Queue, Ticket
from steward.tenancy.models import Contact

log = logging.getLogger(__name__)


@dataclass
class MailResult:
    """What became of one received message."""

    disposition: str
    mail: MailMessage
    ticket: Ticket | None = None
    reason: str = ""
    duplicate: bool = False


def receive(
    raw: bytes, *, envelope_from: str | None, recipients: Sequence[str], now: datetime
) -> MailResult:
    """Turn one received message into a ticket, a reply, a triage entry or a dropped loop, and
    record it. Never raises for anything in the message; only a broken disk or database does
    (the caller then answers "try again later", so the message is not lost)."""
    sha256 = keep_raw(raw)
    parsed = parse(raw, sha256)
    known = MailMessage.objects.filter(
        direction=MailDirection.IN, message_id=parsed.message_id
    ).first()
    if known is not None:
        return MailResult(known.disposition, known, known.ticket, known.reason, duplicate=True)
    try:
        with transaction.atomic():
            return _route(parsed, envelope_from, list(recipients), now)
    except Exception as exc:  # a verb refused or a bug: keep the message for a person to see
        log.exception("mail %s could not be processed", parsed.message_id)
        reason = f"could not process: {type(exc).__name__}: {exc}"
        return _record_anyway(parsed, list(recipients), now, reason)


def _fields(parsed: ParsedMail, recipients: list[str]) -> dict[str, Any]:
    return {
        "message_id": parsed.message_id,
        "in_reply_to": parsed.in_reply_to[0] if parsed.in_reply_to else "",
        "references": " ".join(parsed.references),
        "from_address": parsed.from_address,
        "to_addresses": ", ".join(recipients or parsed.to_addresses),
        "subject": parsed.subject,
        "raw_sha256": parsed.sha256,
        "size": parsed.size,
    }


def _record(
    parsed: ParsedMail,
    recipients: list[str],
    now: datetime,
    disposition: str,
    reason: str = "",
    ticket: Ticket | None = None,
) -> MailResult:
    mail = record_mail(
        direction=MailDirection.IN,
        disposition=disposition,
        at=now,
        ticket=ticket,
        reason=reason,
        **_fields(parsed, recipients),
    )
    return MailResult(disposition, mail, ticket, mail.reason)


def _record_anyway(
    parsed: ParsedMail, recipients: list[str], now: datetime, reason: str
) -> MailResult:
    try:
        with transaction.atomic():
            return _record(parsed, recipients, now, MailDisposition.TRIAGE, reason)
    except Exception:  # even the headers cannot be stored: keep the bare minimum
        log.exception("mail %s recorded without its headers", parsed.message_id)
        with transaction.atomic():
            mail = record_mail(
                direction=MailDirection.IN,
                disposition=MailDisposition.REJECTED,
                message_id=f"<{parsed.sha256}@unstorable>",
                at=now,
                reason=reason,
                raw_sha256=parsed.sha256,
                size=parsed.size,
            )
        return MailResult(MailDisposition.REJECTED, mail, None, mail.reason)


def queue_for(addresses: Sequence[str]) -> Queue | None:
    """The queue whose address the mail was sent to, else the default queue."""
    for address in addresses:
        queue = Queue.objects.filter(email__iexact=address.strip()).first()
        if queue is not None:
            return queue
    return Queue.objects.filter(is_default=True).order_by("pk").first()


def _route(
    parsed: ParsedMail, envelope_from: str | None, recipients: list[str], now: datetime
) -> MailResult:
    record = partial(_record, parsed, recipients, now)
    if not parsed.from_address:
        return record(MailDisposition.REJECTED, "; ".join(["no sender address", *parsed.problems]))
    looping = loop_reason(parsed, envelope_from, now)
    if looping is not None:
        return record(MailDisposition.LOOP, looping)
    if parsed.problems:
        return record(MailDisposition.TRIAGE, "; ".join(parsed.problems))
    contacts = list(Contact.objects.filter(email__iexact=parsed.from_address))
    ticket = find_ticket(parsed)
    if ticket is not None:
        contact = next((c for c in contacts if c.client_id == ticket.client_id), None)
        if contact is None:
            reason = f"{parsed.from_address} is not a contact of the client of ticket #{ticket.pk}"
            return record(MailDisposition.TRIAGE, reason)
        if ticket.status == Status.CLOSED:
            # A closed ticket stays closed: the mail opens a follow-up linked to it.
            follow_up = _open(parsed, contact, recipients, now)
            services.link(follow_up, LinkKind.RELATED, target=ticket, at=now)
            return record(
                MailDisposition.NEW_TICKET, f"follow-up of closed #{ticket.pk}", follow_up
            )
        replies.add_reply(ticket, contact, parsed, now)
        return record(MailDisposition.REPLY, ticket=ticket)
    clients = {c.client_id for c in contacts}
    if not clients:
        return record(MailDisposition.TRIAGE, "unknown sender")
    if len(clients) > 1:
        return record(MailDisposition.TRIAGE, "the sender is a contact of several clients")
    return record(MailDisposition.NEW_TICKET, ticket=_open(parsed, contacts[0], recipients, now))


def _open(parsed: ParsedMail, contact: Contact, recipients: list[str], now: datetime) -> Ticket:
    queue = queue_for([*recipients, *parsed.to_addresses])
    return replies.open_from_mail(contact.client, parsed, queue, now, contact=contact)


def triage_text(mail: MailMessage) -> str:
    """The text of a stored message, for the triage page (empty when the file is gone)."""
    raw = read_raw(mail)
    return clean_text(parse(raw, mail.raw_sha256).text) if raw is not None else ""
