"""The mail triage page and its verbs: staff only; a decision makes a ticket for a client, adds
the message to a ticket (as a note when the sender is not the client's), or discards it."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage

import pytest
from django.core.exceptions import ValidationError

from steward.servicedesk import services
from steward.servicedesk.choices import EventKind, MailDisposition, Source
from steward.servicedesk.mail.inbound import receive
from steward.servicedesk.mail.triage import ticket_from_triage
from steward.servicedesk.models import Attachment, MailMessage, Ticket
from tests.conftest import World
from tests.servicedesk.mail.conftest import DESK, message

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
URL = "/mail/triage/"


def triaged(sent: EmailMessage) -> MailMessage:
    result = receive(sent.as_bytes(), envelope_from=None, recipients=[DESK], now=NOW)
    assert result.disposition == MailDisposition.TRIAGE
    return result.mail


def stranger_mail() -> EmailMessage:
    sent = message(sender="newbie@acme.example", subject="Need a laptop", body="Hi, new here.")
    sent.add_attachment(b"%PDF-1.4 form", maintype="application", subtype="pdf", filename="f.pdf")
    return sent


def test_only_staff_see_the_queue_and_only_workers_act(world: World) -> None:
    mail = triaged(stranger_mail())
    assert world.http(world.dave).get(URL).status_code == 403
    page = world.http(world.ivan).get(URL)  # the auditor reads…
    assert page.status_code == 200
    assert b"Need a laptop" in page.content
    assert b"Hi, new here." in page.content
    assert b'name="action"' not in page.content
    refused = world.http(world.ivan).post(URL, {"message": mail.pk, "action": "discard"})
    assert refused.status_code == 403  # …but does not decide


def test_make_a_ticket_for_a_client(world: World) -> None:
    mail = triaged(stranger_mail())
    response = world.http(world.bob).post(
        URL, {"message": mail.pk, "action": "ticket", "client": world.acme.pk}
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/tickets/{ticket.pk}/"
    assert (ticket.client, ticket.requester, ticket.source) == (world.acme, None, Source.EMAIL)
    assert ticket.events.get(kind=EventKind.CREATED).actor == world.bob
    assert list(Attachment.objects.values_list("filename", flat=True)) == ["f.pdf"]
    mail.refresh_from_db()
    assert (mail.disposition, mail.ticket, mail.client) == (
        MailDisposition.NEW_TICKET,
        ticket,
        world.acme,
    )
    with pytest.raises(ValidationError):  # a second decision finds it handled
        ticket_from_triage(mail, world.acme, by=world.alice, now=NOW)
    assert (
        world.http(world.bob).post(URL, {"message": mail.pk, "action": "discard"}).status_code
        == 404
    )


def test_a_stranger_added_to_a_ticket_becomes_an_internal_note(world: World) -> None:
    ticket = services.open_ticket(world.acme, subject="Printer", requester=world.acme_contact)
    intruder = message(sender="dave@globex.example", subject=f"Re: [#{ticket.pk}]", body="Me too")
    mail = triaged(intruder)
    response = world.http(world.bob).post(
        URL, {"message": mail.pk, "action": "add", "ticket": ticket.pk}
    )
    assert response.status_code == 302
    note = ticket.events.get(kind=EventKind.NOTE)
    assert note.body == "Mail from dave@globex.example:\n\nMe too"
    assert (note.public, note.actor) == (False, world.bob)
    mail.refresh_from_db()
    assert (mail.disposition, mail.ticket) == (MailDisposition.REPLY, ticket)


def test_someone_who_cannot_see_the_ticket_cannot_add_to_it(world: World) -> None:
    ticket = services.open_ticket(world.acme, subject="Printer", requester=world.acme_contact)
    mail = triaged(stranger_mail())
    page = world.http(world.eve).post(
        URL, {"message": mail.pk, "action": "add", "ticket": ticket.pk}
    )
    assert page.status_code == 200
    assert f"there is no ticket #{ticket.pk} that you can see".encode() in page.content
    mail.refresh_from_db()
    assert mail.disposition == MailDisposition.TRIAGE
    assert not ticket.events.filter(kind=EventKind.NOTE).exists()


def test_discard_keeps_the_record(world: World) -> None:
    mail = triaged(stranger_mail())
    response = world.http(world.alice).post(URL, {"message": mail.pk, "action": "discard"})
    assert response.status_code == 302
    mail.refresh_from_db()
    assert (mail.disposition, mail.reason) == (MailDisposition.REJECTED, "discarded by alice")
    assert b"No mail waiting" in world.http(world.alice).get(URL).content


def test_a_decision_without_its_target_is_refused_with_the_field(world: World) -> None:
    mail = triaged(stranger_mail())
    page = world.http(world.alice).post(URL, {"message": mail.pk, "action": "ticket"})
    assert page.status_code == 200
    assert b"client: choose the client the ticket is for" in page.content
    mail.refresh_from_db()
    assert mail.disposition == MailDisposition.TRIAGE
