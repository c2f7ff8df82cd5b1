"""Mail in over a real SMTP session: tickets, replies, triage, loops, limits, bad MIME; and the
acknowledgements that leave, read from a real SMTP sink."""

from __future__ import annotations

from email import policy
from email.message import EmailMessage
from typing import Any

import pytest

from steward.servicedesk import services
from steward.servicedesk.choices import EventKind, MailDirection, MailDisposition, Source
from steward.servicedesk.mail.smtpd import make_controller
from steward.servicedesk.mail.store import raw_path
from steward.servicedesk.models import Attachment, MailMessage, Queue, Ticket
from tests.conftest import World
from tests.servicedesk.mail.conftest import DESK, HOST, Sink, free_port, message, send

pytestmark = pytest.mark.django_db(transaction=True)  # the listener stores on its own thread


def received(message_id: str) -> MailMessage:
    return MailMessage.objects.get(direction=MailDirection.IN, message_id=message_id)


def test_known_contact_opens_a_ticket_and_is_acknowledged(
    world: World, mail_in: Any, sink: Sink
) -> None:
    queue = Queue.objects.create(name="Service desk", email=DESK)
    sent = message(sender="Carol Acmeson <Carol@ACME.example>")
    code, answer = send(mail_in, sent)
    ticket = Ticket.objects.get()
    assert (code, answer.decode()) == (250, f"2.0.0 OK: opened ticket #{ticket.pk}")
    assert (ticket.client, ticket.requester, ticket.source) == (
        world.acme,
        world.acme_contact,
        Source.EMAIL,
    )
    assert ticket.subject == "Printer on fire"
    assert ticket.queue == queue
    assert "floor 2 is on fire" in ticket.description
    mail = received(sent["Message-ID"])
    assert (mail.disposition, mail.ticket, mail.client) == (
        MailDisposition.NEW_TICKET,
        ticket,
        world.acme,
    )
    assert raw_path(mail.raw_sha256).read_bytes() == sent.as_bytes(policy=policy.SMTP)
    (ack,) = sink.messages
    assert ack["Subject"] == f"[#{ticket.pk}] Received: Printer on fire"
    assert ack["To"] == "carol@acme.example"
    assert ack["From"] == DESK
    assert ack["Auto-Submitted"] == "auto-replied"
    assert ack["In-Reply-To"] == sent["Message-ID"]
    assert ack["References"] == sent["Message-ID"]
    assert f"opened ticket #{ticket.pk}" in ack.get_content()
    out = MailMessage.objects.get(direction=MailDirection.OUT)
    assert out.message_id == ack["Message-ID"]
    assert out.ticket == ticket


def test_reply_with_the_subject_token_joins_the_ticket_without_its_quote(
    world: World, mail_in: Any, sink: Sink
) -> None:
    send(mail_in, message())
    ticket = Ticket.objects.get()
    body = (
        "It is out now, thanks.\n\n"
        "On Mon, 2 Mar 2026 at 10:00, Steward <desk@msp.example> wrote:\n"
        "> we have received your message\n"
    )
    _, answer = send(mail_in, message(subject=f"Re: [#{ticket.pk}] Printer", body=body))
    assert answer.decode() == f"2.0.0 OK: added to ticket #{ticket.pk}"
    reply = ticket.events.get(kind=EventKind.REPLY)
    assert reply.body == "It is out now, thanks."
    assert reply.actor_contact == world.acme_contact
    assert Ticket.objects.count() == 1
    assert len(sink.messages) == 1  # the first acknowledgement only: replies are not answered


def test_reply_by_in_reply_to_our_mail_joins_the_ticket(
    world: World, mail_in: Any, sink: Sink
) -> None:
    send(mail_in, message())
    ticket = Ticket.objects.get()
    services.reply(ticket, "Is it still burning?", by=world.bob)  # mailed after commit
    question = sink.to("carol@acme.example")[-1]
    assert question["Subject"] == f"[#{ticket.pk}] Printer on fire"
    answer_mail = message(
        subject="Re: your question", body="No, it is out.", In_Reply_To=question["Message-ID"]
    )
    send(mail_in, answer_mail)
    assert received(answer_mail["Message-ID"]).ticket == ticket
    assert ticket.events.filter(kind=EventKind.REPLY, actor_contact=world.acme_contact).exists()


def test_unknown_sender_waits_in_triage_unanswered(world: World, mail_in: Any, sink: Sink) -> None:
    sent = message(sender="stranger@elsewhere.example")
    code, _ = send(mail_in, sent, envelope_from="stranger@elsewhere.example")
    assert code == 250
    mail = received(sent["Message-ID"])
    assert (mail.disposition, mail.client, mail.ticket) == (MailDisposition.TRIAGE, None, None)
    assert mail.reason == "unknown sender"
    assert not Ticket.objects.exists()
    assert sink.messages == []


def test_a_globex_contact_cannot_reply_to_an_acme_ticket(
    world: World, mail_in: Any, sink: Sink
) -> None:
    send(mail_in, message())
    ticket = Ticket.objects.get()
    events = ticket.events.count()
    intruder = message(
        sender="dave@globex.example", subject=f"Re: [#{ticket.pk}] Printer", body="Hi there"
    )
    send(mail_in, intruder, envelope_from="dave@globex.example")
    mail = received(intruder["Message-ID"])
    assert (mail.disposition, mail.ticket, mail.client) == (MailDisposition.TRIAGE, None, None)
    assert "not a contact of the client" in mail.reason
    assert ticket.events.count() == events
    assert len(sink.messages) == 1  # only carol's acknowledgement


def test_malformed_mime_is_kept_and_the_listener_goes_on(
    world: World, mail_in: Any, sink: Sink
) -> None:
    broken = (
        b"From: carol@acme.example\r\nTo: desk@msp.example\r\nSubject: =?utf-8?q?broken=ZZ?=\r\n"
        b"Message-ID: <broken-1@client.example>\r\n"
        b'Content-Type: multipart/mixed; boundary="never-closed"\r\n\r\n'
        b"--never-closed\r\nContent-Type: text/plain; charset=no-such-charset\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n@@@not base64\xff\xfe\r\n"
        b"--never-closed\r\nContent-Type: application/pdf\r\n"
        b"Content-Disposition: attachment; filename*=bogus''%ZZ\r\n\r\n\x00\x01"
    )
    code, _ = send(mail_in, broken)
    assert code == 250
    mail = received("<broken-1@client.example>")
    assert mail.disposition == MailDisposition.TRIAGE
    assert mail.reason == "malformed MIME: InvalidBase64LengthDefect in text/plain"
    assert not Ticket.objects.exists()
    assert raw_path(mail.raw_sha256).read_bytes().startswith(broken)  # smtplib ends it in CRLF
    garbage = b"\xff\xfe\x00 not a message at all \x00\r\n\r\n\x80"
    assert send(mail_in, garbage)[0] == 250
    rejected = MailMessage.objects.order_by("-pk").first()
    assert rejected is not None
    assert rejected.disposition == MailDisposition.REJECTED
    assert "no sender address" in rejected.reason
    assert send(mail_in, message(subject="Still listening"))[0] == 250


def test_too_large_attachment_is_skipped_with_a_note_and_a_notice(
    world: World, mail_in: Any, sink: Sink, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STEWARD_ATTACHMENT_MAX_BYTES", "1000")
    sent = message()
    sent.add_attachment(b"%PDF-1.4 small", maintype="application", subtype="pdf", filename="a.pdf")
    sent.add_attachment(b"x" * 5000, maintype="application", subtype="zip", filename="big.zip")
    send(mail_in, sent)
    ticket = Ticket.objects.get()
    assert list(Attachment.objects.values_list("filename", flat=True)) == ["a.pdf"]
    note = ticket.events.get(kind=EventKind.NOTE)
    assert "big.zip (5,000 bytes; the limit is 1,000 bytes)" in note.body
    assert not note.public
    (ack,) = sink.messages
    assert "big.zip (5,000 bytes; the limit is 1,000 bytes)" in ack.get_content()


def test_over_size_message_is_refused_at_smtp_with_the_limit(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STEWARD_MAIL_MAX_BYTES", "4096")
    controller = make_controller(HOST, free_port())
    controller.start()
    try:
        code, answer = send(controller, message(body="x" * 8000))
    except Exception as exc:  # smtplib raises SMTPDataError for a 5xx answer to DATA
        code, answer = exc.smtp_code, exc.smtp_error  # type: ignore[attr-defined]
    finally:
        controller.stop()
        controller.handler.close()
    assert code == 552
    assert b"the limit is 4,096 bytes" in answer
    assert not MailMessage.objects.exists()


@pytest.mark.parametrize(
    ("header", "value", "reason"),
    [
        ("Auto_Submitted", "auto-replied", "Auto-Submitted: auto-replied"),
        ("Precedence", "bulk", "Precedence: bulk"),
        ("X_Autoreply", "yes", "x-autoreply header"),
    ],
)
def test_automatic_mail_is_dropped_unanswered(
    world: World, mail_in: Any, sink: Sink, header: str, value: str, reason: str
) -> None:
    sent = message(subject="Out of office", **{header: value})
    send(mail_in, sent)
    mail = received(sent["Message-ID"])
    assert (mail.disposition, mail.reason) == (MailDisposition.LOOP, reason)
    assert not Ticket.objects.exists()
    assert sink.messages == []


def test_a_sender_over_the_hourly_rate_is_dropped_unanswered(
    world: World, mail_in: Any, sink: Sink, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STEWARD_MAIL_RATE_PER_HOUR", "2")
    sent = [message(subject=f"Loop {n}") for n in range(3)]
    for one in sent:
        send(mail_in, one)
    assert [received(m["Message-ID"]).disposition for m in sent] == [
        MailDisposition.NEW_TICKET,
        MailDisposition.NEW_TICKET,
        MailDisposition.LOOP,
    ]
    assert "over 2 messages an hour" in received(sent[2]["Message-ID"]).reason
    assert len(sink.messages) == 2


def test_html_only_mail_is_sanitised_and_read_as_text(
    world: World, mail_in: Any, sink: Sink
) -> None:
    sent = EmailMessage()
    sent["From"], sent["To"], sent["Subject"] = "carol@acme.example", DESK, "Screen"
    sent["Message-ID"] = "<html-1@client.example>"
    sent.set_content(
        "<html><head><style>p{}</style></head><body><p>The <b>screen</b> flickers.</p>"
        "<script>alert('owned')</script><p onclick=\"x()\">Since Monday.</p></body></html>",
        subtype="html",
    )
    send(mail_in, sent)
    created = Ticket.objects.get().events.get(kind=EventKind.CREATED)
    assert created.body == "The screen flickers.\n\nSince Monday."
    html = created.data["html"]
    assert "<b>screen</b>" in html
    for removed in ("script", "alert", "onclick"):
        assert removed not in html
