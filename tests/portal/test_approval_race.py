"""Two contacts deciding the same approval at the same moment: one decision wins, the other
is told it is final; one reply on the ticket. Real threads, real connections."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from steward.portal.choices import Decision
from steward.portal.models import Approval
from steward.portal.services import ApprovalError, decide
from steward.servicedesk.choices import EventKind
from steward.servicedesk.models import TicketEvent
from steward.tenancy import services as tenancy
from tests.conftest import World
from tests.portal.builders import acme_approval


@pytest.mark.django_db(transaction=True)
def test_two_contacts_deciding_at_once_make_one_decision(world: World) -> None:
    if connection.vendor == "sqlite" and getattr(connection, "is_in_memory_db", bool)():
        pytest.skip("needs PostgreSQL or an SQLite file: the in-memory test database cannot wait")
    approval = acme_approval(world)
    other = tenancy.create_contact(world.acme, first_name="Erin", email="erin@example.org")
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def press(contact_id: int, verdict: str) -> None:
        start.wait()
        try:
            contact = type(world.acme_contact).objects.get(pk=contact_id)
            decide(Approval.objects.get(pk=approval.pk), verdict, by=contact)
            outcomes.append("decided")
        except ApprovalError:
            outcomes.append("final")
        finally:
            connection.close()  # each thread has its own connection

    threads = [
        threading.Thread(target=press, args=(world.acme_contact.pk, Decision.APPROVED)),
        threading.Thread(target=press, args=(other.pk, Decision.REJECTED)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["decided", "final"]
    approval.refresh_from_db()
    assert approval.decision in (Decision.APPROVED, Decision.REJECTED)
    replies = TicketEvent.objects.filter(kind=EventKind.REPLY, data__approval=approval.pk)
    assert replies.count() == 1
    assert replies.get().actor_contact_id == approval.decided_by_id
