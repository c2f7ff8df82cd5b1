"""Tickets in the portal: a contact lists, opens, reads and replies to its own client's
tickets only, never sees internal notes, follows a ticket, and is shown a pending survey."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from steward.servicedesk import services as desk
from steward.servicedesk.choices import EventKind, Source, Status
from steward.servicedesk.models import Attachment, Ticket
from steward.servicedesk.services.csat import create_survey
from tests.conftest import World
from tests.servicedesk.builders import PNG, acme_ticket


def globex_ticket(world: World) -> Ticket:
    return desk.open_ticket(world.globex, subject="Globex VPN down", requester=world.globex_contact,
                            by=world.alice)  # fmt: skip


def test_a_contact_opens_a_ticket_as_its_requester_from_the_portal(world: World) -> None:
    http = world.http(world.carol)
    form = http.get("/portal/tickets/new/")
    assert form.status_code == 200
    assert b"Open ticket" in form.content
    assert b'<label for="id_subject">' in form.content
    assert b'name="client"' not in form.content
    assert b'name="priority"' not in form.content
    fields = {"subject": "Printer offline", "description": "3rd floor", "kind": "incident",
              "impact": "low", "urgency": "medium"}  # fmt: skip
    response = http.post("/portal/tickets/new/", fields)
    ticket = Ticket.objects.get(subject="Printer offline")
    assert response["Location"] == f"/portal/tickets/{ticket.pk}/"
    assert (ticket.client, ticket.requester, ticket.source) == (
        world.acme,
        world.acme_contact,
        Source.PORTAL,
    )
    created = ticket.events.get(kind=EventKind.CREATED)
    assert created.actor_contact == world.acme_contact


def test_a_ticket_without_a_subject_is_refused_naming_the_field(world: World) -> None:
    fields = {"subject": "", "kind": "incident", "impact": "low", "urgency": "low"}
    response = world.http(world.carol).post("/portal/tickets/new/", fields)
    assert response.status_code == 400
    assert b"Subject: This field is required." in response.content
    assert not Ticket.objects.exists()


def test_the_list_shows_own_open_or_closed_tickets_and_searches(world: World) -> None:
    mine = acme_ticket(world)
    done = desk.open_ticket(world.acme, subject="Old laptop wiped", by=world.bob)
    desk.change_status(done, Status.RESOLVED, by=world.bob)
    globex_ticket(world)
    http = world.http(world.carol)
    open_page = http.get("/portal/tickets/").content.decode()
    assert mine.subject in open_page
    assert "Old laptop wiped" not in open_page
    assert "Globex" not in open_page
    closed = http.get("/portal/tickets/", {"state": "closed"}).content.decode()
    assert "Old laptop wiped" in closed
    assert mine.subject not in closed
    found = http.get("/portal/tickets/", {"state": "all", "q": f"#{done.pk}"}).content.decode()
    assert "Old laptop wiped" in found
    assert mine.subject not in found
    assert "printer jams" in http.get("/portal/tickets/", {"q": "PRINTER"}).content.decode()


def test_the_timeline_is_public_only_and_carries_public_files(world: World) -> None:
    ticket = acme_ticket(world)  # a public reply with a file, and an internal note
    page = world.http(world.carol).get(f"/portal/tickets/{ticket.pk}/").content.decode()
    assert "Acme: on my way" in page
    assert "acme-floor.png" in page
    assert "toner empty" not in page
    assert "internal" not in page.lower()
    # The staff preview shows the same: never the internal note.
    preview = world.http(world.alice).get(f"/portal/tickets/{ticket.pk}/").content.decode()
    assert "Staff preview" in preview
    assert "toner empty" not in preview
    assert "Send reply" not in preview


def test_a_contact_replies_with_a_file_and_the_reply_is_public(world: World) -> None:
    ticket = acme_ticket(world)
    upload = SimpleUploadedFile("screen.png", PNG, content_type="image/png")
    response = world.http(world.carol).post(
        f"/portal/tickets/{ticket.pk}/reply/",
        {"reply-body": "Still jammed", "reply-attach": upload},
    )
    assert response.status_code == 302
    event = ticket.events.filter(kind=EventKind.REPLY).latest("pk")
    assert (event.body, event.public, event.actor_contact) == (
        "Still jammed",
        True,
        world.acme_contact,
    )
    assert Attachment.objects.get(event=event).filename == "screen.png"


def test_an_empty_reply_is_refused_and_nothing_is_written(world: World) -> None:
    ticket = acme_ticket(world)
    before = ticket.events.count()
    response = world.http(world.carol).post(
        f"/portal/tickets/{ticket.pk}/reply/", {"reply-body": " "}
    )
    assert response.status_code == 422
    assert ticket.events.count() == before


def test_follow_and_unfollow(world: World) -> None:
    ticket = acme_ticket(world)
    http = world.http(world.carol)
    assert http.post(f"/portal/tickets/{ticket.pk}/follow/").status_code == 302
    assert ticket.watchers.filter(pk=world.carol.pk).exists()
    assert b"Unfollow" in http.get(f"/portal/tickets/{ticket.pk}/").content
    http.post(f"/portal/tickets/{ticket.pk}/unfollow/")
    assert not ticket.watchers.filter(pk=world.carol.pk).exists()


def test_a_pending_survey_is_linked_for_its_contact(world: World) -> None:
    ticket = acme_ticket(world)
    desk.change_status(ticket, Status.RESOLVED, by=world.bob)
    survey = ticket.survey if hasattr(ticket, "survey") else create_survey(ticket)
    assert survey is not None
    page = world.http(world.carol).get(f"/portal/tickets/{ticket.pk}/").content.decode()
    assert "/survey/?token=" in page
    assert "Tell us how we did" in page


def test_staff_cannot_act_in_the_portal(world: World) -> None:
    ticket = acme_ticket(world)
    http = world.http(world.bob)
    assert http.post(f"/portal/tickets/{ticket.pk}/reply/", {"reply-body": "hi"}).status_code == 403
    assert http.post(f"/portal/tickets/{ticket.pk}/follow/").status_code == 403
    assert http.get("/portal/tickets/").status_code == 302  # the lists are the contacts'


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(state=st.text(max_size=12), text=st.text(max_size=60))
def test_any_search_text_answers_a_list_page(world: World, state: str, text: str) -> None:
    response = world.http(world.carol).get("/portal/tickets/", {"state": state, "q": text})
    assert response.status_code == 200


def test_a_superscript_digit_is_text_not_a_ticket_number(world: World) -> None:
    # "¹".isdigit() is true but int() refuses it: the search once answered 500.
    response = world.http(world.carol).get("/portal/tickets/", {"q": "¹"})
    assert response.status_code == 200
