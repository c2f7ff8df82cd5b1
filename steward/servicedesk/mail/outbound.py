"""Outgoing ticket mail: the one choke point (``send_ticket_mail``) through Django's email
backend, with a Message-ID we make and keep, and In-Reply-To/References to the thread so the
client's mail program shows one conversation."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from email.utils import make_msgid, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction

from steward.core.env import envstr
from steward.servicedesk.choices import EventKind, MailDirection, MailDisposition
from steward.servicedesk.mail.store import record_mail, set_disposition
from steward.servicedesk.mail.threading import THREADED
from steward.servicedesk.models import MailMessage, Ticket
from steward.servicedesk.services import record_event

log = logging.getLogger(__name__)
MAX_REFERENCES = 20


def sender_for(ticket: Ticket) -> str:
    """The queue's address, else STEWARD_MAIL_FROM (the default sender)."""
    if ticket.queue is not None and ticket.queue.email:
        return ticket.queue.email
    return envstr("STEWARD_MAIL_FROM", "") or str(settings.DEFAULT_FROM_EMAIL)


def thread_headers(ticket: Ticket) -> dict[str, str]:
    """In-Reply-To (the latest message of the ticket) and References (the thread, oldest
    first, the last 20), from the messages we received and sent for it."""
    ids = list(
        MailMessage.objects.filter(ticket=ticket, disposition__in=THREADED)
        .order_by("-at", "-pk")
        .values_list("message_id", flat=True)[:MAX_REFERENCES]
    )
    if not ids:
        return {}
    return {"In-Reply-To": ids[0], "References": " ".join(reversed(ids))}


def with_token(ticket: Ticket, subject: str) -> str:
    token = f"[#{ticket.pk}]"
    return subject if token in subject else f"{token} {subject}"


def send_ticket_mail(
    ticket: Ticket,
    *,
    to: Sequence[str],
    subject: str,
    text: str,
    html: str | None = None,
    now: datetime,
    headers: dict[str, str] | None = None,
) -> MailMessage | None:
    """Mail ``ticket``'s people now (call it after the transaction that decided to send has
    committed). The message is recorded (direction out) and goes on the timeline; a failed send
    is logged and recorded with its reason, never raised. None when there is nobody to mail."""
    recipients = sorted({address.strip() for address in to if address and address.strip()})
    if not recipients:
        return None
    sender = sender_for(ticket)
    domain = parseaddr(sender)[1].rpartition("@")[2] or "steward.invalid"
    message_id = make_msgid(idstring=f"ticket{ticket.pk}", domain=domain)
    thread = thread_headers(ticket)
    subject = with_token(ticket, " ".join(subject.split()))
    message = EmailMultiAlternatives(
        subject,
        text,
        sender,
        recipients,
        headers={"Message-ID": message_id, **thread, **(headers or {})},
    )
    if html:
        message.attach_alternative(html, "text/html")
    with transaction.atomic():
        mail = record_mail(
            direction=MailDirection.OUT,
            disposition=MailDisposition.SENT,
            message_id=message_id,
            at=now,
            ticket=ticket,
            in_reply_to=thread.get("In-Reply-To", ""),
            references=thread.get("References", ""),
            from_address=parseaddr(sender)[1].lower(),
            to_addresses=", ".join(recipients),
            subject=subject,
        )
    failure = ""
    try:
        message.send()
    except Exception as exc:  # an unreachable or refusing server must not break the caller
        log.warning("mail for ticket #%s to %s failed: %s", ticket.pk, recipients, exc)
        failure = f"send failed: {exc}"
        set_disposition(mail, MailDisposition.REJECTED, failure)
    with transaction.atomic():
        record_event(
            ticket,
            EventKind.MAIL,
            at=now,
            now=now,
            to_value=", ".join(recipients)[:100],
            body=failure or subject,
            data={"message_id": message_id, "to": recipients, "mail": mail.pk, "ok": not failure},
        )
    return mail
