"""Approvals: staff ask from the ticket page, the contact is told and decides once in the
portal; the decision is on the ticket's timeline and in the audit log."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine

from steward.core.models import AuditEntry
from steward.notify.events import Notice, NoticeKind
from steward.portal import services
from steward.portal.choices import ApprovalKind, Decision
from steward.portal.models import Approval
from steward.portal.services import ApprovalError
from steward.servicedesk import services as desk
from steward.servicedesk.choices import EventKind, Status
from tests.conftest import World
from tests.portal.builders import acme_approval
from tests.servicedesk.builders import acme_ticket

T0 = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


@pytest.fixture
def notices(monkeypatch: pytest.MonkeyPatch) -> list[Notice]:
    """What the portal hands to the notify app's one entry point."""
    found: list[Notice] = []
    monkeypatch.setattr("steward.notify.services.publish", found.append)
    return found


def test_staff_ask_from_the_ticket_page_and_the_contact_is_notified(
    world: World, notices: list[Notice]
) -> None:
    ticket = acme_ticket(world)
    http = world.http(world.bob)
    page = http.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "Ask the client for approval" in page
    form = http.get(f"/portal/staff/tickets/{ticket.pk}/approval/")
    assert form.status_code == 200
    response = http.post(
        f"/portal/staff/tickets/{ticket.pk}/approval/",
        {"kind": "out_of_scope_work", "question": "Replace the printer: 4 h",
         "contacts": [world.acme_contact.pk]},
    )  # fmt: skip
    assert response["Location"] == f"/tickets/{ticket.pk}/"
    approval = Approval.objects.get()
    assert (approval.ticket, approval.requested_by, approval.is_pending) == (
        ticket,
        world.bob,
        True,
    )
    [notice] = notices
    assert notice.kind == NoticeKind.APPROVAL_REQUESTED
    assert notice.contact_ids == (world.acme_contact.pk,)
    assert notice.client_id == world.acme.pk
    assert notice.url == f"/portal/approvals/{approval.pk}/"
    assert notice.key == f"approval_requested:{approval.pk}"
    assert "Replace the printer" in notice.body
    note = ticket.events.filter(kind=EventKind.NOTE).latest("pk")
    assert note.public is False
    assert note.data == {"approval": approval.pk, "action": "requested"}


def test_an_empty_question_is_refused_naming_the_field(world: World) -> None:
    ticket = acme_ticket(world)
    with pytest.raises(Exception, match="question"):
        services.request_approval(ticket, kind=ApprovalKind.CHANGE, question="  ", by=world.bob)
    with pytest.raises(Exception, match="another client"):
        services.request_approval(ticket, kind=ApprovalKind.CHANGE, question="ok?", by=world.bob,
                                  contacts=[world.globex_contact])  # fmt: skip
    assert not Approval.objects.exists()


def test_the_contact_decides_once_and_the_decision_is_on_the_timeline(world: World) -> None:
    approval = acme_approval(world)
    ticket = approval.ticket
    desk.change_status(ticket, Status.WAITING_ON_CLIENT, by=world.bob, reason="approval")
    http = world.http(world.carol)
    page = http.get(f"/portal/approvals/{approval.pk}/").content.decode()
    assert "replace the second-floor printer" in page
    assert "Approve" in page
    with time_machine.travel(T0, tick=False):
        response = http.post(f"/portal/approvals/{approval.pk}/",
                             {"decision": "approved", "comment": "Go ahead"})  # fmt: skip
    assert response.status_code == 302
    approval.refresh_from_db()
    assert (approval.decision, approval.decided_by, approval.decided_at) == (
        Decision.APPROVED, world.acme_contact, T0,
    )  # fmt: skip
    assert approval.comment == "Go ahead"
    reply = ticket.events.filter(kind=EventKind.REPLY, data__approval=approval.pk).get()
    assert reply.public is True
    assert reply.actor_contact == world.acme_contact
    assert reply.body.startswith("Approved: Acme: replace")
    assert "Comment: Go ahead" in reply.body
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS, "the client's answer resumes the ticket"
    entry = AuditEntry.objects.filter(object_type="portal.approval", action="update").get()
    assert entry.after is not None
    assert entry.after["decision"] == "approved"
    assert entry.actor_name == "carol"
    # Deciding again is a clear error, and changes nothing.
    again = http.post(f"/portal/approvals/{approval.pk}/", {"decision": "rejected"})
    assert again.status_code == 409
    assert b"already approved" in again.content
    assert b"a decision is final" in again.content
    approval.refresh_from_db()
    assert approval.decision == Decision.APPROVED


def test_a_decision_is_final_in_the_service_too(world: World) -> None:
    approval = acme_approval(world)
    services.decide(approval, Decision.REJECTED, by=world.acme_contact)
    with pytest.raises(ApprovalError, match="already rejected"):
        services.decide(approval, Decision.APPROVED, by=world.acme_contact)
    with pytest.raises(ApprovalError, match="another client"):
        services.decide(approval, Decision.APPROVED, by=world.globex_contact)


def test_a_decision_must_be_approve_or_reject(world: World) -> None:
    approval = acme_approval(world)
    response = world.http(world.carol).post(
        f"/portal/approvals/{approval.pk}/", {"decision": "maybe"}
    )
    assert response.status_code == 400
    approval.refresh_from_db()
    assert approval.is_pending


def test_staff_see_the_approval_but_cannot_decide(world: World) -> None:
    approval = acme_approval(world)
    http = world.http(world.alice)
    page = http.get(f"/portal/approvals/{approval.pk}/")
    assert page.status_code == 200
    assert b"Staff preview" in page.content
    assert (
        http.post(f"/portal/approvals/{approval.pk}/", {"decision": "approved"}).status_code == 403
    )
    approval.refresh_from_db()
    assert approval.is_pending


def test_the_list_puts_pending_first(world: World) -> None:
    first = acme_approval(world)
    services.decide(first, Decision.APPROVED, by=world.acme_contact)
    later: Any = services.request_approval(
        first.ticket, kind=ApprovalKind.CHANGE, question="Reboot the Acme file server", by=world.bob
    )
    body = world.http(world.carol).get("/portal/approvals/").content.decode()
    assert body.index("Reboot the Acme file server") < body.index("second-floor printer")
    home = world.http(world.carol).get("/portal/").content.decode()
    assert f"/portal/approvals/{later.pk}/" in home
