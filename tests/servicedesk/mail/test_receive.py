"""The inbound rules of ``receive``, called directly with explicit times: duplicates, bounces,
our own mail, the rate limit at its exact boundary, merged tickets, ambiguous senders, queues;
and the text helpers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from steward.servicedesk import services
from steward.servicedesk.choices import MailDirection, MailDisposition, Status
from steward.servicedesk.mail.inbound import MailResult, receive
from steward.servicedesk.mail.text import REPLY_MARKER, html_to_text, strip_quoted
from steward.servicedesk.models import MailMessage, Queue, Ticket
from steward.tenancy import services as tenancy
from tests.conftest import World
from tests.servicedesk.mail.conftest import DESK, message

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def take(
    raw: bytes, *, at: datetime = NOW, envelope_from: str | None = "x@y.example"
) -> MailResult:
    return receive(raw, envelope_from=envelope_from, recipients=[DESK], now=at)


def test_the_same_message_twice_is_stored_once(world: World) -> None:
    raw = message().as_bytes()
    first = take(raw)
    again = take(raw)
    assert again.duplicate
    assert again.mail == first.mail
    assert Ticket.objects.count() == 1
    assert MailMessage.objects.filter(direction=MailDirection.IN).count() == 1


@pytest.mark.parametrize(
    ("sender", "envelope_from", "reason"),
    [
        ("carol@acme.example", "", "bounce (empty envelope sender)"),
        ("carol@acme.example", "<>", "bounce (empty envelope sender)"),
        ("MAILER-DAEMON@mx.acme.example", None, "bounce (from mailer-daemon@mx.acme.example)"),
        (DESK, "desk@msp.example", "sent from our own address"),
    ],
)
def test_bounces_and_our_own_mail_are_loops(
    world: World, settings: Any, sender: str, envelope_from: str | None, reason: str
) -> None:
    settings.DEFAULT_FROM_EMAIL = DESK
    result = take(message(sender=sender).as_bytes(), envelope_from=envelope_from)
    assert (result.disposition, result.reason) == (MailDisposition.LOOP, reason)
    assert not Ticket.objects.exists()


def test_rate_limit_counts_the_hour_before_now_exactly(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STEWARD_MAIL_RATE_PER_HOUR", "2")
    take(message(subject="one").as_bytes(), at=NOW)
    take(message(subject="two").as_bytes(), at=NOW + timedelta(minutes=30))
    # Exactly one hour after the first, it no longer counts: the third is accepted…
    third = take(message(subject="three").as_bytes(), at=NOW + timedelta(hours=1))
    assert third.disposition == MailDisposition.NEW_TICKET
    # …and one second earlier it would have been the third in the hour.
    fourth = take(message(subject="four").as_bytes(), at=NOW + timedelta(minutes=59, seconds=59))
    assert fourth.disposition == MailDisposition.LOOP


def test_reply_to_a_merged_ticket_joins_the_surviving_one(world: World) -> None:
    old = services.open_ticket(world.acme, subject="Dup", requester=world.acme_contact, at=NOW)
    kept = services.open_ticket(world.acme, subject="Kept", requester=world.acme_contact, at=NOW)
    services.merge(old, kept, by=world.bob, at=NOW)
    result = take(message(subject=f"Re: [#{old.pk}] Dup", body="More detail").as_bytes())
    assert (result.disposition, result.ticket) == (MailDisposition.REPLY, kept)


def test_a_contact_of_two_clients_without_a_ticket_goes_to_triage(world: World) -> None:
    tenancy.create_contact(world.globex, first_name="Carol", email="carol@acme.example")
    result = take(message().as_bytes())
    assert result.disposition == MailDisposition.TRIAGE
    assert result.reason == "the sender is a contact of several clients"


def test_queue_by_recipient_else_the_default(world: World) -> None:
    default = Queue.objects.create(name="Desk", is_default=True)
    projects = Queue.objects.create(name="Projects", email="projects@msp.example")
    first = receive(message().as_bytes(), envelope_from=None, recipients=[DESK], now=NOW)
    second = receive(
        message(to="Projects <Projects@msp.example>").as_bytes(),
        envelope_from=None,
        recipients=[],
        now=NOW,
    )
    assert first.ticket is not None
    assert first.ticket.queue == default
    assert second.ticket is not None
    assert second.ticket.queue == projects


def test_strip_quoted_cuts_the_history() -> None:
    assert strip_quoted(f"Thanks!\n\n{REPLY_MARKER}\nold text") == "Thanks!"
    assert strip_quoted("Yes.\n\n-----Original Message-----\nFrom: x") == "Yes."
    assert strip_quoted("Fine\n> quoted\n>> more\n") == "Fine"
    assert strip_quoted("> all of it quoted") == "> all of it quoted"  # never empty
    outlook = "Done.\n\nFrom: Desk <desk@msp.example>\nSent: Monday\nSubject: x"
    assert strip_quoted(outlook) == "Done."


def test_html_to_text_keeps_blocks_and_drops_scripts() -> None:
    text = html_to_text(
        "<h1>Hi</h1><ul><li>one</li><li>two &amp; three</li></ul><script>x</script>"
    )
    assert text == "Hi\n\n- one\n\n- two & three"


def test_mail_to_a_closed_ticket_opens_a_linked_follow_up(world: World) -> None:
    old = services.open_ticket(world.acme, subject="VPN", requester=world.acme_contact, at=NOW)
    services.change_status(old, Status.RESOLVED, by=world.bob, at=NOW)
    services.change_status(old, Status.CLOSED, by=world.bob, at=NOW)
    result = take(message(subject=f"Re: [#{old.pk}] VPN", body="Broken again").as_bytes())
    assert result.disposition == MailDisposition.NEW_TICKET
    assert result.ticket is not None
    assert result.ticket != old
    assert result.reason == f"follow-up of closed #{old.pk}"
    assert result.ticket.links.get().target == old
    old.refresh_from_db()
    assert old.status == Status.CLOSED
