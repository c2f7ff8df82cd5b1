"""Loop protection: mail that must neither open a ticket nor be answered.

A loop needs two parties that each answer the other automatically. We never answer automated
mail (RFC 3834: Auto-Submitted, and the older Precedence and X-Autoreply conventions), bounces,
our own mail, or a sender who writes more often than a person would.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from steward.core.env import envint, envstr
from steward.servicedesk.choices import MailDirection
from steward.servicedesk.mail.parse import ParsedMail
from steward.servicedesk.models import MailMessage, Queue

DEFAULT_RATE_PER_HOUR = 20
BULK_PRECEDENCE = frozenset({"bulk", "junk", "list", "auto_reply"})
BOUNCE_SENDERS = ("mailer-daemon@", "postmaster@")


def rate_per_hour() -> int:
    return envint("STEWARD_MAIL_RATE_PER_HOUR", DEFAULT_RATE_PER_HOUR, minimum=1)


def own_addresses() -> set[str]:
    """Every address we send from: STEWARD_MAIL_FROM, the default sender, the queues'."""
    found = {envstr("STEWARD_MAIL_FROM", ""), str(settings.DEFAULT_FROM_EMAIL)}
    found |= set(Queue.objects.exclude(email="").values_list("email", flat=True))
    return {address.strip().lower() for address in found if address.strip()}


def automated_reason(headers: dict[str, str]) -> str | None:
    """Why the headers mark the message as sent by a machine, or None."""
    auto = headers.get("auto-submitted", "").strip().lower()
    if auto and not auto.startswith("no"):
        return f"Auto-Submitted: {auto[:40]}"
    precedence = headers.get("precedence", "").strip().lower()
    if precedence in BULK_PRECEDENCE:
        return f"Precedence: {precedence}"
    for name in ("x-autoreply", "x-autorespond"):
        if name in headers:
            return f"{name} header"
    return None


def bounce_reason(envelope_from: str | None, from_address: str) -> str | None:
    if envelope_from is not None and envelope_from.strip() in ("", "<>"):
        return "bounce (empty envelope sender)"
    for sender in (envelope_from or "", from_address):
        if sender.strip().lower().startswith(BOUNCE_SENDERS):
            return f"bounce (from {sender.strip().lower()})"
    return None


def over_rate(sender: str, now: datetime) -> bool:
    """Whether ``sender`` already sent the hourly maximum in the hour before ``now``. Every
    received message counts, dropped ones too, so a flood stays stopped while it lasts."""
    recent = MailMessage.objects.filter(
        direction=MailDirection.IN,
        from_address=sender,
        at__gt=now - timedelta(hours=1),
        at__lte=now,
    )
    return recent.count() >= rate_per_hour()


def loop_reason(parsed: ParsedMail, envelope_from: str | None, now: datetime) -> str | None:
    """Why this message must be dropped unanswered, or None for ordinary mail."""
    reason = bounce_reason(envelope_from, parsed.from_address) or automated_reason(parsed.headers)
    if reason is not None:
        return reason
    if parsed.from_address and parsed.from_address in own_addresses():
        return "sent from our own address"
    if parsed.from_address and over_rate(parsed.from_address, now):
        return f"over {rate_per_hour()} messages an hour from this sender"
    return None
