"""The ticket pages: list with filters and SLA badges, the ticket with its clocks and timeline,
every action form, and what client contacts may see and do."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from steward.servicedesk import services
from steward.servicedesk.choices import EventKind, Impact, Source, Status, Urgency
from steward.servicedesk.models import Attachment, Ticket
from steward.servicedesk.views import tickets as views
from tests.servicedesk.builders import PNG
from tests.servicedesk.conftest import MONDAY_10, Desk


def text(response: Any) -> str:
    return response.content.decode()


def test_the_service_delivery_area_opens_the_ticket_list(desk: Desk) -> None:
    home = desk.world.http(desk.world.bob).get("/", follow=True)
    assert 'href="/tickets/"' in text(home)


def test_list_shows_sla_badges_and_filters(desk: Desk) -> None:
    world = desk.world
    urgent = {"impact": Impact.HIGH, "urgency": Urgency.HIGH}
    with time_machine.travel(MONDAY_10, tick=False):
        missed = desk.ticket(subject="Server down", **urgent)
        services.reply(missed, "late", by=world.bob, at=MONDAY_10 + timedelta(hours=2))
        calm = desk.ticket(subject="New mouse")
        services.assign(calm, world.bob, by=world.alice)
        globex = desk.ticket(client=world.globex, subject="Globex VPN",
                             requester=world.globex_contact)  # fmt: skip
    http = world.http(world.alice)
    with time_machine.travel(MONDAY_10 + timedelta(hours=2, minutes=30), tick=False):
        page = text(http.get("/tickets/"))
        assert "Server down" in page
        assert "Response breached" in page
        assert "Response due in 21 h 30 min" in page  # P4: 8 business hours, Tue 10:00
        assert "Globex VPN" in page
        assert "Server down" not in text(http.get("/tickets/", {"client": world.globex.pk}))
        breached = text(http.get("/tickets/", {"breached": "on"}))
        assert "Server down" in breached
        assert "New mouse" not in breached
        mine = text(world.http(world.bob).get("/tickets/", {"mine": "on"}))
        assert "New mouse" in mine
        assert "Server down" not in mine
        assigned = text(http.get("/tickets/", {"status": "assigned"}))
        assert "New mouse" in assigned
        assert "Globex VPN" not in assigned
        services.change_status(globex, Status.RESOLVED, by=world.alice)
        assert "Globex VPN" not in text(http.get("/tickets/"))  # open tickets by default
        assert "Globex VPN" in text(http.get("/tickets/", {"status": "all"}))


def test_htmx_gets_only_the_results(desk: Desk) -> None:
    desk.ticket(subject="Printer")
    http = desk.world.http(desk.world.alice)
    partial = http.get("/tickets/", headers={"HX-Request": "true", "HX-Target": "ticket-results"})
    assert "Printer" in text(partial)
    assert "<html" not in text(partial)


def test_list_pages(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    for n in range(3):
        desk.ticket(subject=f"Ticket {n}")
    http = desk.world.http(desk.world.alice)
    first = text(http.get("/tickets/"))
    assert "1\N{EN DASH}2 of 3" in first
    assert "Ticket 0" not in first
    assert "Ticket 0" in text(http.get("/tickets/", {"page": 2}))


def test_contacts_see_their_clients_tickets_only(desk: Desk) -> None:
    world = desk.world
    acme = desk.ticket(subject="Acme laptop")
    globex = desk.ticket(client=world.globex, subject="Globex VPN", requester=world.globex_contact)
    dave = world.http(world.dave)
    page = text(dave.get("/tickets/"))
    assert "Globex VPN" in page
    assert "Acme laptop" not in page
    assert 'name="assignee"' not in page  # staff-only filters are not offered
    assert dave.get(f"/tickets/{acme.pk}/").status_code == 404
    assert dave.post(f"/tickets/{acme.pk}/reply/", {"reply-body": "hi"}).status_code == 404
    assert dave.get(f"/tickets/{globex.pk}/").status_code == 200


# --- The ticket page ----------------------------------------------------------------------------


def test_ticket_page_shows_sla_and_timeline_notes_only_to_staff(desk: Desk) -> None:
    world = desk.world
    with time_machine.travel(MONDAY_10, tick=False):
        ticket = desk.ticket(subject="Printer", impact=Impact.MEDIUM, urgency=Urgency.MEDIUM)
        services.reply(ticket, "Toner is empty", by=world.bob, public=False)
        services.reply(ticket, "On my way", by=world.bob, at=MONDAY_10 + timedelta(minutes=30))
        later = MONDAY_10 + timedelta(hours=1)
        services.change_status(
            ticket, Status.WAITING_ON_CLIENT, by=world.bob, reason="which floor?", at=later
        )
    with time_machine.travel(MONDAY_10 + timedelta(hours=2), tick=False):
        staff = text(world.http(world.bob).get(f"/tickets/{ticket.pk}/"))
        contact = text(world.http(world.carol).get(f"/tickets/{ticket.pk}/"))
    assert "2026-03-02 13:00 UTC" in staff  # response due
    assert "2026-03-02 09:30 UTC" in staff  # responded
    assert "30 min" in staff  # business time to response
    assert "clock paused" in staff
    assert "changed the status from New to Waiting on client" in staff
    assert "which floor?" in staff
    assert "Toner is empty" in staff
    assert "internal" in staff
    assert "Work the ticket" in staff
    assert "Toner is empty" not in contact
    assert "On my way" in contact
    assert "Work the ticket" not in contact
    assert 'name="reply-mode"' not in contact


def test_contact_opens_and_replies_with_a_file(desk: Desk) -> None:
    world = desk.world
    carol = world.http(world.carol)
    form = text(carol.get("/tickets/new/"))
    assert 'name="client"' not in form
    assert 'name="priority"' not in form
    made = carol.post("/tickets/new/", {"subject": "Laptop broke", "kind": "incident",
                                         "impact": "low", "urgency": "high"})  # fmt: skip
    assert made.status_code == 302
    ticket = Ticket.objects.get()
    assert (ticket.client, ticket.requester, ticket.source) == (
        world.acme, world.acme_contact, Source.PORTAL
    )  # fmt: skip
    shot = SimpleUploadedFile("screen.png", PNG)
    sent = carol.post(f"/tickets/{ticket.pk}/reply/",
                      {"reply-body": "photo attached", "reply-attach": [shot]})  # fmt: skip
    assert sent.status_code == 302
    event = ticket.events.get(kind=EventKind.REPLY)
    assert event.actor_contact == world.acme_contact
    attachment = Attachment.objects.get()
    assert attachment.event == event
    download = carol.get(f"/attachments/{attachment.pk}/download/")
    assert download.status_code == 200
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("attachment")
    assert world.http(world.dave).get(f"/attachments/{attachment.pk}/download/").status_code == 404
    assert (
        carol.post(f"/tickets/{ticket.pk}/status/", {"status-status": "closed"}).status_code == 403
    )


def test_staff_open_with_an_override_needing_a_reason(desk: Desk) -> None:
    world = desk.world
    http = world.http(world.alice)
    body = {"client": world.acme.pk, "subject": "CEO laptop", "kind": "incident",
            "impact": "low", "urgency": "low", "priority": "P1"}  # fmt: skip
    refused = http.post("/tickets/new/", body)
    assert refused.status_code == 200
    assert "give a reason for P1" in text(refused)
    assert not Ticket.objects.exists()
    made = http.post("/tickets/new/", body | {"priority_reason": "CEO"})
    assert made.status_code == 302
    assert Ticket.objects.get().priority == "P1"


# --- Actions ------------------------------------------------------------------------------------


def test_note_status_assign_priority(desk: Desk) -> None:
    world = desk.world
    ticket = desk.ticket()
    http = world.http(world.bob)
    url = f"/tickets/{ticket.pk}"
    note = http.post(f"{url}/reply/", {"reply-body": "check toner", "reply-mode": "note"})
    assert note.status_code == 302
    assert ticket.events.get(kind=EventKind.NOTE).public is False
    plan = http.post(f"{url}/reply/", {"reply-body": "swap drum", "reply-mode": "plan"})
    assert plan.status_code == 302
    assert ticket.events.filter(kind=EventKind.PLAN).exists()
    waiting = http.post(f"{url}/status/", {"status-status": "waiting_on_client"})
    assert waiting.status_code == 422
    assert "say what the ticket is waiting for" in text(waiting)
    ok = http.post(f"{url}/status/", {"status-status": "in_progress", "status-reason": "going"})
    assert ok.status_code == 302
    assert http.post(f"{url}/assign/", {"assign-assignee": world.bob.pk}).status_code == 302
    priority = http.post(f"{url}/priority/", {"priority-priority": "P1"})
    assert priority.status_code == 422
    assert "give a reason" in text(priority)
    raised = http.post(f"{url}/priority/", {"priority-priority": "P1", "priority-reason": "CEO"})
    assert raised.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee, ticket.priority) == ("in_progress", world.bob, "P1")
    auditor = world.http(world.ivan)
    assert auditor.get(f"{url}/").status_code == 200
    assert auditor.post(f"{url}/reply/", {"reply-body": "x"}).status_code == 403


def test_watchers_links_merge_and_edit(desk: Desk) -> None:
    world = desk.world
    first, second = desk.ticket(subject="one"), desk.ticket(subject="two")
    http = world.http(world.alice)
    url = f"/tickets/{second.pk}"
    assert http.post(f"{url}/watchers/", {"watcher-user": world.bob.pk}).status_code == 302
    assert list(second.watchers.all()) == [world.bob]
    removed = http.post(f"{url}/watchers/{world.bob.pk}/remove/")
    assert removed.status_code == 302
    assert not second.watchers.exists()
    linked = http.post(f"{url}/links/", {"link-kind": "related", "link-target": f"#{first.pk}"})
    assert linked.status_code == 302
    bad = http.post(f"{url}/links/", {"link-kind": "related", "link-target": "#999999"})
    assert bad.status_code == 422
    assert "no ticket #999999" in text(bad)
    edited = http.post(f"{url}/edit/", {"subject": "two (edited)", "kind": "incident",
                                        "impact": "low", "urgency": "medium"})  # fmt: skip
    assert edited.status_code == 302
    merged = http.post(f"{url}/merge/", {"merge-into": str(first.pk)})
    assert merged.status_code == 302
    second.refresh_from_db()
    assert (second.subject, second.merged_into_id) == ("two (edited)", first.pk)
    assert "Merged into" in text(http.get(f"{url}/"))
