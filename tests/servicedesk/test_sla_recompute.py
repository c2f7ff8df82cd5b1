"""`steward sla recompute`: replaying clocks after a calendar correction, audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from steward.agreements import services as agreements
from steward.core.models import AuditEntry
from steward.servicedesk.choices import EventKind, Impact, Urgency
from steward.servicedesk.models import Ticket
from tests.servicedesk.conftest import BERLIN_OFFICE, MONDAY_10, Desk

LATER = MONDAY_10 + timedelta(days=30)


def forgotten_closure(desk: Desk) -> None:
    """The office was closed on Tuesday 3 March 2026, but nobody put it in the calendar."""
    calendar = desk.acme_policy.calendar
    agreements.update_calendar(calendar, BERLIN_OFFICE | {"closures": ["2026-03-03"]})


@pytest.fixture
def p3_ticket(desk: Desk) -> Ticket:
    with time_machine.travel(MONDAY_10, tick=False):
        return desk.ticket(impact=Impact.MEDIUM, urgency=Urgency.MEDIUM)


def test_recompute_moves_due_times_and_writes_the_audit_log(desk: Desk, p3_ticket: Ticket) -> None:
    assert p3_ticket.resolution_due_at == datetime(2026, 3, 4, 9, 0, tzinfo=UTC)
    forgotten_closure(desk)
    out = StringIO()
    with time_machine.travel(LATER, tick=False):
        call_command("sla", "recompute", "--client", "acme", stdout=out)
    p3_ticket.refresh_from_db()
    # Tuesday no longer counts: Monday 7 h, Wednesday 8 h, Thursday 1 h -> Thursday 10:00.
    assert p3_ticket.resolution_due_at == datetime(2026, 3, 5, 9, 0, tzinfo=UTC)
    assert f"#{p3_ticket.pk}: " in out.getvalue()
    assert "1 ticket(s) changed" in out.getvalue()
    entry = AuditEntry.objects.filter(
        object_type="servicedesk.ticket",
        object_id=str(p3_ticket.pk),
        object_repr__startswith="SLA recompute",
    ).get()
    assert entry.before["resolution_due_at"].startswith("2026-03-04T09:00")
    assert entry.after["resolution_due_at"].startswith("2026-03-05T09:00")
    assert p3_ticket.events.filter(kind=EventKind.SLA_RECOMPUTED).count() == 1


def test_a_second_recompute_changes_nothing(desk: Desk, p3_ticket: Ticket) -> None:
    forgotten_closure(desk)
    with time_machine.travel(LATER, tick=False):
        call_command("sla", "recompute", stdout=StringIO())
        out = StringIO()
        call_command("sla", "recompute", stdout=out)
    assert "0 ticket(s) changed" in out.getvalue()


def test_dry_run_changes_nothing(desk: Desk, p3_ticket: Ticket) -> None:
    forgotten_closure(desk)
    out = StringIO()
    with time_machine.travel(LATER, tick=False):
        call_command("sla", "recompute", "--dry-run", stdout=out)
    p3_ticket.refresh_from_db()
    assert p3_ticket.resolution_due_at == datetime(2026, 3, 4, 9, 0, tzinfo=UTC)
    assert "1 ticket(s) would change" in out.getvalue()
    assert not p3_ticket.events.filter(kind=EventKind.SLA_RECOMPUTED).exists()


def test_other_clients_are_left_alone(desk: Desk, p3_ticket: Ticket) -> None:
    forgotten_closure(desk)
    with time_machine.travel(LATER, tick=False):
        call_command("sla", "recompute", "--client", "globex", stdout=StringIO())
    p3_ticket.refresh_from_db()
    assert p3_ticket.resolution_due_at == datetime(2026, 3, 4, 9, 0, tzinfo=UTC)


def test_unknown_client_is_an_error(desk: Desk) -> None:
    with pytest.raises(CommandError, match="no client with code 'nope'"):
        call_command("sla", "recompute", "--client", "nope")
