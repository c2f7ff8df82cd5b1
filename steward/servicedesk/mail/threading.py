"""Which ticket a message continues: by our Message-IDs in In-Reply-To/References, else by the
``[#1234]`` token in the subject. A merged ticket leads to the ticket it was merged into."""

from __future__ import annotations

import re

from steward.servicedesk.choices import MailDisposition
from steward.servicedesk.mail.parse import ParsedMail
from steward.servicedesk.models import MailMessage, Ticket

TOKEN = re.compile(r"\[#(\d{1,18})\]")
# Messages that really joined a ticket (a triaged or dropped one proves nothing).
THREADED = (MailDisposition.NEW_TICKET, MailDisposition.REPLY, MailDisposition.SENT)


def subject_token(subject: str) -> int | None:
    found = TOKEN.search(subject)
    return int(found.group(1)) if found else None


def _followed(ticket: Ticket | None) -> Ticket | None:
    seen: set[int] = set()
    while ticket is not None and ticket.merged_into_id is not None and ticket.pk not in seen:
        seen.add(ticket.pk)
        ticket = ticket.merged_into
    return ticket


def find_ticket(parsed: ParsedMail) -> Ticket | None:
    """The ticket the message continues, or None."""
    ids = [*parsed.in_reply_to, *reversed(parsed.references)]
    if ids:
        known = (
            MailMessage.objects.filter(
                message_id__in=ids, ticket__isnull=False, disposition__in=THREADED
            )
            .select_related("ticket")
            .order_by("-at", "-pk")
            .first()
        )
        if known is not None:
            return _followed(known.ticket)
    number = subject_token(parsed.subject)
    if number is not None:
        ticket = Ticket.objects.filter(pk=number).first()
        if ticket is not None:
            return _followed(ticket)
    return None
