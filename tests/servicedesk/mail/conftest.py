"""Real SMTP on loopback both ways: ``mail_in`` is Steward's listener (aiosmtpd, as
``steward mail-in`` runs it) and ``sink`` a plain aiosmtpd server that Django's SMTP backend
delivers our outgoing mail to, so tests read what really left."""

from __future__ import annotations

import email
import smtplib
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from steward.servicedesk.mail.smtpd import MailController, make_controller

HOST = "127.0.0.1"
DESK = "desk@msp.example"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@dataclass
class Sink:
    """What our outgoing mail delivered: envelopes and the parsed messages."""

    port: int
    envelopes: list[Envelope] = field(default_factory=list)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.envelopes.append(envelope)
        return "250 OK"

    @property
    def messages(self) -> list[EmailMessage]:
        return [
            email.message_from_bytes(e.original_content or b"", policy=policy.default)  # type: ignore[misc]
            for e in self.envelopes
        ]

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]


@pytest.fixture
def sink(settings: Any) -> Iterator[Sink]:
    port = free_port()
    found = Sink(port)
    controller = Controller(found, hostname=HOST, port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = HOST, port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.DEFAULT_FROM_EMAIL = DESK
    yield found
    controller.stop()


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
