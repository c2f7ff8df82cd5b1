"""The ticket verbs: workflow, priority matrix, SLA columns kept from the event log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from steward.core.models import AuditEntry
from steward.servicedesk import services
from steward.servicedesk.choices import EventKind, Impact, Status, Urgency
from steward.servicedesk.models import Ticket
from tests.servicedesk.conftest import HOUR, MONDAY_10, Desk


def test_open_ticket_starts_clocks_on_the_clients_calendar(desk: Desk) -> None:
    with time_machine.travel(MONDAY_10, tick=False):
        ticket = desk.ticket(impact=Impact.MEDIUM, urgency=Urgency.MEDIUM)
    assert ticket.priority == "P3"
    assert ticket.agreement == desk.acme_agreement
    assert ticket.sla_policy == desk.acme_policy
    # P3: respond in 4 business hours from Monday 10:00 Berlin -> 14:00 Berlin (13:00 UTC).
    assert ticket.response_due_at == datetime(2026, 3, 2, 13, 0, tzinfo=UTC)
    # Resolve in 16 business hours: Monday 7h left + Tuesday 8h + 1h Wednesday -> Wed 10:00.
    assert ticket.resolution_due_at == datetime(2026, 3, 4, 9, 0, tzinfo=UTC)
    # The escalation job's next stop: the warning at 75 % of the response target (3 hours).
    assert ticket.next_deadline_kind == "response_warning"
    assert ticket.next_deadline_at == MONDAY_10 + timedelta(hours=3)
    assert [e.kind for e in ticket.events.all()] == [EventKind.CREATED]


def test_priority_override_needs_a_reason(desk: Desk) -> None:
    with pytest.raises(ValidationError) as caught:
        desk.ticket(impact=Impact.LOW, urgency=Urgency.LOW, priority="P1")
    assert "priority_reason" in caught.value.message_dict
    assert not Ticket.objects.exists()
    ticket = desk.ticket(priority="P1", priority_reason="CEO's laptop")
    assert (ticket.priority, ticket.priority_reason) == ("P1", "CEO's laptop")


def test_first_public_staff_reply_answers_the_response_clock(desk: Desk) -> None:
    ticket = desk.ticket(impact=Impact.MEDIUM, urgency=Urgency.MEDIUM)
    services.reply(
        ticket,
        "Looking at it",
        by=desk.world.alice,
        public=False,
        at=MONDAY_10 + timedelta(minutes=5),
    )
    ticket.refresh_from_db()
    assert ticket.responded_at is None
    services.reply(ticket, "On my way", by=desk.world.bob, at=MONDAY_10 + timedelta(minutes=30))
    ticket.refresh_from_db()
    assert ticket.responded_at == MONDAY_10 + timedelta(minutes=30)
    assert ticket.response_met is True
    assert ticket.business_seconds_to_response == 1800


def test_waiting_on_client_pauses_and_moves_the_due_time(desk: Desk) -> None:
    ticket = desk.ticket(impact=Impact.MEDIUM, urgency=Urgency.MEDIUM)
    services.reply(ticket, "Which printer?", by=desk.world.bob, at=MONDAY_10)
    with pytest.raises(ValidationError) as caught:
        services.change_status(ticket, Status.WAITING_ON_CLIENT, by=desk.world.bob, at=MONDAY_10)
    assert "reason" in caught.value.message_dict
    services.change_status(
        ticket,
        Status.WAITING_ON_CLIENT,
        by=desk.world.bob,
        reason="asked which printer",
        at=MONDAY_10 + timedelta(hours=1),
    )
    services.reply(
        ticket,
        "The one on floor 2",
        by_contact=desk.world.acme_contact,
        at=MONDAY_10 + timedelta(hours=3),
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS  # the client's reply resumed it
    assert ticket.paused_business_seconds == 2 * HOUR
    assert ticket.resolution_due_at == datetime(2026, 3, 4, 11, 0, tzinfo=UTC)
    pause = ticket.events.get(kind=EventKind.STATUS, to_value=Status.WAITING_ON_CLIENT)
    assert (pause.actor, pause.body) == (desk.world.bob, "asked which printer")


def test_workflow_refuses_impossible_moves_and_counts_reopens(desk: Desk) -> None:
    ticket = desk.ticket()
    with pytest.raises(ValidationError, match="cannot go from new to closed"):
        services.change_status(ticket, Status.CLOSED, by=desk.world.bob)
    services.change_status(
        ticket, Status.RESOLVED, by=desk.world.bob, at=MONDAY_10 + timedelta(hours=1)
    )
    ticket.refresh_from_db()
    assert ticket.resolved_at == MONDAY_10 + timedelta(hours=1)
    assert ticket.resolution_met is True
    services.reply(
        ticket,
        "Still broken",
        by_contact=desk.world.acme_contact,
        at=MONDAY_10 + timedelta(hours=2),
    )
    ticket.refresh_from_db()
    assert (ticket.status, ticket.reopen_count, ticket.resolved_at) == (Status.IN_PROGRESS, 1, None)


def test_assign_checks_the_technician_works_for_the_client(desk: Desk) -> None:
    ticket = desk.ticket()
    with pytest.raises(ValidationError, match="does not work for this client"):
        services.assign(ticket, desk.world.eve, by=desk.world.alice)
    with pytest.raises(ValidationError, match="only active MSP staff"):
        services.assign(ticket, desk.world.carol, by=desk.world.alice)
    services.assign(ticket, desk.world.bob, by=desk.world.alice)
    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.status) == (desk.world.bob, Status.ASSIGNED)


def test_merge_closes_the_duplicate_and_keeps_its_conversation(desk: Desk) -> None:
    first = desk.ticket(subject="Email down")
    second = desk.ticket(
        subject="Outlook broken", description="Cannot send", at=MONDAY_10 + timedelta(minutes=5)
    )
    services.merge(second, first, by=desk.world.bob, at=MONDAY_10 + timedelta(minutes=10))
    second.refresh_from_db()
    assert (second.status, second.merged_into) == (Status.CLOSED, first)
    merged = first.events.get(kind=EventKind.MERGED)
    assert "Cannot send" in merged.body
    with pytest.raises(ValidationError, match="already merged"):
        services.merge(second, first, by=desk.world.bob)


def test_other_clients_objects_are_refused(desk: Desk) -> None:
    with pytest.raises(ValidationError) as caught:
        desk.ticket(requester=desk.world.globex_contact)
    assert "requester" in caught.value.message_dict
    acme, globex = desk.ticket(), desk.ticket(client=desk.world.globex, requester=None)
    with pytest.raises(ValidationError):
        services.link(acme, "related", target=globex)
    with pytest.raises(ValidationError):
        services.reply(acme, "hi", by_contact=desk.world.globex_contact)


def test_priority_change_applies_the_new_targets_from_creation(desk: Desk) -> None:
    ticket = desk.ticket(impact=Impact.MEDIUM, urgency=Urgency.MEDIUM)
    services.set_priority(
        ticket,
        "P1",
        reason="whole office down",
        by=desk.world.bob,
        at=MONDAY_10 + timedelta(minutes=1),
    )
    ticket.refresh_from_db()
    # P1 runs on 24x7: one hour after creation.
    assert ticket.response_due_at == MONDAY_10 + timedelta(hours=1)
    assert AuditEntry.objects.filter(
        object_type="servicedesk.ticket", object_id=str(ticket.pk)
    ).exists()
