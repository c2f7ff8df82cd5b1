"""A real SMTP server on loopback that keeps what Steward sends, so tests assert the content
that leaves (STYLE.md §18). The ``sink`` fixture (tests/servicedesk/conftest.py) points
Django's mail settings at it."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

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

    def delivered(self) -> list[tuple[list[str], EmailMessage]]:
        """Each message with its envelope recipients."""
        return [(list(e.rcpt_tos), m) for e, m in zip(self.envelopes, self.messages, strict=True)]

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]


@contextmanager
def serving_sink(settings: Any) -> Iterator[Sink]:
    """A sink on a free port, with Django's outgoing mail pointed at it."""
    port = free_port()
    found = Sink(port)
    controller = Controller(found, hostname=HOST, port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = HOST, port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.DEFAULT_FROM_EMAIL = DESK
    try:
        yield found
    finally:
        controller.stop()
