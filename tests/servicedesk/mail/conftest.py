"""Real SMTP on loopback both ways: ``mail_in`` is Steward's listener (aiosmtpd, as
``steward mail-in`` runs it) and ``sink`` a plain aiosmtpd server that Django's SMTP backend
delivers our outgoing mail to, so tests read what really left."""

from __future__ import annotations

import email
import smtplib
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage

import pytest

from steward.servicedesk.mail.smtpd import MailController, make_controller
from tests.servicedesk.smtp import DESK, HOST, Sink, free_port

__all__ = ["DESK", "HOST", "Sink", "free_port"]


@pytest.fixture
def mail_in() -> Iterator[MailController]:
    controller = make_controller(HOST, free_port())
    controller.start()
    yield controller
    controller.stop()
    controller.handler.close()


def message(
    sender: str = "carol@acme.example",
    subject: str = "Printer on fire",
    body: str = "The printer on floor 2 is on fire.",
    to: str = DESK,
    **headers: str,
) -> EmailMessage:
    built = EmailMessage()
    built["From"] = sender
    built["To"] = to
    built["Subject"] = subject
    built["Message-ID"] = email.utils.make_msgid(domain="client.example")
    for name, value in headers.items():
        built[name.replace("_", "-")] = value
    built.set_content(body)
    return built


def send(
    listener: MailController | int,
    raw: bytes | EmailMessage,
    *,
    envelope_from: str = "carol@acme.example",
    to: tuple[str, ...] = (DESK,),
) -> tuple[int, bytes]:
    """Send one message over SMTP to a listener (or its port); the answer to DATA."""
    # smtplib sends bytes as they are: lines must already end in CRLF, as on the wire.
    data = raw.as_bytes(policy=policy.SMTP) if isinstance(raw, EmailMessage) else raw
    port = listener if isinstance(listener, int) else listener.port
    with smtplib.SMTP(HOST, port, timeout=30) as client:
        client.ehlo()
        client.mail(envelope_from)
        for address in to:
            client.rcpt(address)
        return client.data(data)
