"""The SMTP listener (``steward mail-in``): aiosmtpd on its own event loop; each message is
handed to ``inbound.receive`` on one worker thread, so Django's database work never runs on
the event loop and messages are stored one at a time (SQLite has one writer anyway)."""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any, AnyStr

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.db import close_old_connections, connections
from django.utils import timezone

from steward.core.env import envint
from steward.servicedesk.choices import MailDisposition
from steward.servicedesk.mail.inbound import MailResult, receive

log = logging.getLogger(__name__)
DEFAULT_MAX_BYTES = 30 * 1024 * 1024


def max_message_bytes() -> int:
    return envint("STEWARD_MAIL_MAX_BYTES", DEFAULT_MAX_BYTES, minimum=1024)


def deliver(raw: bytes, envelope_from: str | None, recipients: list[str]) -> MailResult:
    """Store one message (on the worker thread, with its own database connection)."""
    close_old_connections()
    try:
        return receive(raw, envelope_from=envelope_from, recipients=recipients, now=timezone.now())
    finally:
        close_old_connections()


def answer(result: MailResult) -> str:
    """The SMTP reply for a stored message: accepted whatever became of it (a dropped loop
    too, so the looping sender gets no bounce to answer)."""
    if result.disposition == MailDisposition.NEW_TICKET and result.ticket is not None:
        return f"250 2.0.0 OK: opened ticket #{result.ticket.pk}"
    if result.disposition == MailDisposition.REPLY and result.ticket is not None:
        return f"250 2.0.0 OK: added to ticket #{result.ticket.pk}"
    return "250 2.0.0 OK: received"


class MailHandler:
    """aiosmtpd handler: every accepted DATA becomes one ``receive`` call."""

    def __init__(self) -> None:
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="steward-mail-in")

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        loop = asyncio.get_running_loop()
        recipients = [str(r) for r in envelope.rcpt_tos]
        try:
            result = await loop.run_in_executor(
                self.worker, deliver, raw, envelope.mail_from, recipients
            )
        except Exception:  # storage or database down: the sender's server retries later
            log.exception("could not store a message from %s", envelope.mail_from)
            return "451 4.3.0 Could not store the message now; try again later"
        return answer(result)

    def close(self) -> None:
        # The worker thread's database connection outlives each message (CONN_MAX_AGE); close
        # it on that thread, where it belongs, before the thread ends.
        self.worker.submit(connections.close_all).result()
        self.worker.shutdown(wait=True)


class LimitedSMTP(SMTP):
    """aiosmtpd's SMTP with a 552 that tells the sender the limit and what to do instead."""

    async def push(self, status: AnyStr) -> None:
        text = status.decode() if isinstance(status, bytes) else str(status)
        if text.startswith("552"):
            limit = self.data_size_limit or 0
            text = (
                f"552 5.3.4 Message too big: the limit is {limit:,} bytes. "
                "Send large files as a link, or in several messages."
            )
        await super().push(text)


class MailController(Controller):
    def factory(self) -> SMTP:
        return LimitedSMTP(self.handler, **self.SMTP_kwargs)


def make_controller(host: str, port: int, **kwargs: Any) -> MailController:
    """An SMTP listener on ``host:port`` that refuses messages over STEWARD_MAIL_MAX_BYTES."""
    return MailController(
        MailHandler(),
        hostname=host,
        port=port,
        data_size_limit=max_message_bytes(),
        enable_SMTPUTF8=True,
        **kwargs,
    )
