"""Mail out: public staff replies and resolutions reach the requester and the watchers after
commit, threaded under the earlier messages; read from a real SMTP sink."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from django.db import transaction

from steward.servicedesk import services
from steward.servicedesk.choices import EventKind, MailDirection, MailDisposition, Status
from steward.servicedesk.mail.inbound import receive
from steward.servicedesk.mail.outbound import send_ticket_mail
from steward.servicedesk.mail.text import REPLY_MARKER
from steward.servicedesk.models import MailMessage, Ticket
from tests.conftest import World
from tests.servicedesk.mail.conftest import DESK, Sink, free_port, message

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def body_of(mailed: EmailMessage, kind: str) -> str:
    part = mailed.get_body((kind,))
    assert part is not None
    return str(part.get_content())


def opened_by_mail(capture: Any) -> tuple[Ticket, str]:
    """A ticket opened by carol's mail (acknowledged); (ticket, her Message-ID)."""
    sent = message()
    with capture(execute=True):
        result = receive(
            sent.as_bytes(), envelope_from="carol@acme.example", recipients=[DESK], now=NOW
        )
    assert result.ticket is not None
    return result.ticket, sent["Message-ID"]


def test_public_staff_reply_is_mailed_in_the_thread(
    world: World, sink: Sink, django_capture_on_commit_callbacks: Any
) -> None:
    ticket, first_id = opened_by_mail(django_capture_on_commit_callbacks)
    services.add_watcher(ticket, world.alice, at=NOW)
    (ack,) = sink.messages
    with django_capture_on_commit_callbacks(execute=True):
        services.reply(ticket, "Unplug it, please.", by=world.bob, at=NOW + timedelta(minutes=5))
    mailed = sink.messages[-1]
    assert mailed["Subject"] == f"[#{ticket.pk}] Printer on fire"
    assert sorted(sink.envelopes[-1].rcpt_tos) == ["alice@msp.example", "carol@acme.example"]
    assert mailed["In-Reply-To"] == ack["Message-ID"]
    assert mailed["References"] == f"{first_id} {ack['Message-ID']}"
    body = mailed.get_content()
    assert body.startswith(REPLY_MARKER)
    assert "Unplug it, please." in body
    out = MailMessage.objects.get(message_id=mailed["Message-ID"])
    assert (out.direction, out.disposition, out.ticket) == (
        MailDirection.OUT,
        MailDisposition.SENT,
        ticket,
    )
    assert out.in_reply_to == ack["Message-ID"]
    assert ticket.events.filter(kind=EventKind.MAIL, data__message_id=out.message_id).exists()


def test_notes_and_client_replies_are_not_mailed(
    world: World, sink: Sink, django_capture_on_commit_callbacks: Any
) -> None:
    ticket = services.open_ticket(world.acme, subject="Quiet", requester=world.acme_contact)
    with django_capture_on_commit_callbacks(execute=True):
        services.reply(ticket, "internal only", by=world.bob, public=False)
        services.reply(ticket, "from the client", by_contact=world.acme_contact)
    assert sink.messages == []


def test_resolution_is_mailed(
    world: World, sink: Sink, django_capture_on_commit_callbacks: Any
) -> None:
    ticket = services.open_ticket(world.acme, subject="Slow VPN", requester=world.acme_contact)
    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(ticket, Status.RESOLVED, by=world.bob, reason="MTU fixed")
    # (The satisfaction survey goes out on resolution too; this is the resolution notice.)
    (mailed,) = [m for m in sink.messages if m["Subject"] == f"[#{ticket.pk}] Slow VPN"]
    text = body_of(mailed, "plain")
    assert f"Ticket #{ticket.pk} is resolved." in text
    assert "MTU fixed" in text


def test_a_rolled_back_reply_sends_nothing(
    world: World, sink: Sink, django_capture_on_commit_callbacks: Any
) -> None:
    ticket = services.open_ticket(world.acme, subject="Undo", requester=world.acme_contact)

    def reply_then_fail() -> None:
        with transaction.atomic():
            services.reply(ticket, "never sent", by=world.bob)
            raise RuntimeError("the caller fails after the reply")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        reply_then_fail()
    assert sink.messages == []
    assert not MailMessage.objects.filter(direction=MailDirection.OUT).exists()


def test_a_failed_send_keeps_the_reply_and_records_why(
    world: World, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens
    ticket = services.open_ticket(world.acme, subject="Offline", requester=world.acme_contact)
    with django_capture_on_commit_callbacks(execute=True):
        services.reply(ticket, "We are on it.", by=world.bob)
    assert ticket.events.filter(kind=EventKind.REPLY).exists()
    out = MailMessage.objects.get(direction=MailDirection.OUT)
    assert out.disposition == MailDisposition.REJECTED
    assert out.reason.startswith("send failed:")
    failed = ticket.events.get(kind=EventKind.MAIL)
    assert failed.data["ok"] is False


def test_send_ticket_mail_for_other_parts(world: World, sink: Sink) -> None:
    ticket = services.open_ticket(world.acme, subject="Survey", requester=world.acme_contact)
    mail = send_ticket_mail(
        ticket,
        to=["carol@acme.example", ""],
        subject=f"[#{ticket.pk}] How did we do?",
        text="Rate us",
        html="<p>Rate <b>us</b></p>",
        now=NOW,
    )
    assert mail is not None
    (mailed,) = sink.messages
    assert mailed["Subject"] == f"[#{ticket.pk}] How did we do?"  # the token once
    assert mailed["From"] == DESK
    assert body_of(mailed, "html").strip() == "<p>Rate <b>us</b></p>"
    assert send_ticket_mail(ticket, to=[], subject="x", text="y", now=NOW) is None
