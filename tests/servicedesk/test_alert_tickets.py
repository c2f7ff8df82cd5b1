"""Tickets from monitoring alerts: one open incident per alert, linked to the alert and the
asset; a recovery resolves the ticket only when nobody has worked it."""

from __future__ import annotations

from datetime import timedelta

from steward.servicedesk import services
from steward.servicedesk.choices import EventKind, LinkKind, Source, Status, TicketKind
from steward.servicedesk.models import TimeEntry
from steward.servicedesk.services.alerts import (
    AlertNotice,
    open_from_alert,
    resolve_from_alert,
    ticket_for_alert,
)
from tests.servicedesk.conftest import MONDAY_10, Desk

MINUTE = timedelta(minutes=1)


def notice(desk: Desk, minutes: int = 0, **fields: object) -> AlertNotice:
    values: dict[str, object] = {
        "client": desk.world.acme,
        "reference": "alert:42",
        "summary": "Disk / on web-01 will be full in about 5 days",
        "at": MONDAY_10 + minutes * MINUTE,
        "priority": "P2",
        "asset_reference": "asset:7",
    }
    return AlertNotice(**(values | fields))  # type: ignore[arg-type]


def test_a_firing_alert_opens_one_linked_incident(desk: Desk) -> None:
    ticket, new = open_from_alert(notice(desk))
    assert new
    assert (ticket.kind, ticket.source, ticket.priority) == (
        TicketKind.INCIDENT,
        Source.ALERT,
        "P2",
    )
    assert ticket.priority_reason == "from the alert's severity"
    assert ticket.subject == "Disk / on web-01 will be full in about 5 days"
    links = set(ticket.links.values_list("kind", "reference"))
    assert links == {(LinkKind.ALERT, "alert:42"), (LinkKind.ASSET, "asset:7")}
    assert ticket.response_due_at is not None  # the client's SLA applies
    again, new = open_from_alert(notice(desk, 5))
    assert (again.pk, new) == (ticket.pk, False)
    assert again.events.filter(kind=EventKind.NOTE, body__startswith="Alert firing again").exists()


def test_another_alert_or_client_gets_its_own_ticket(desk: Desk) -> None:
    first, _ = open_from_alert(notice(desk))
    other, new = open_from_alert(notice(desk, reference="alert:43"))
    assert new
    assert other.pk != first.pk
    globex, new = open_from_alert(notice(desk, client=desk.world.globex, asset_reference=""))
    assert new
    assert globex.client == desk.world.globex
    assert ticket_for_alert(desk.world.globex, "alert:42") == globex
    assert not globex.links.filter(kind=LinkKind.ASSET).exists()


def test_recovery_resolves_an_untouched_ticket(desk: Desk) -> None:
    ticket, _ = open_from_alert(notice(desk))
    resolved = resolve_from_alert(notice(desk, 30, summary="Disk / on web-01 back under 85 %"))
    assert resolved is not None
    resolved.refresh_from_db()
    assert resolved.status == Status.RESOLVED
    assert resolved.events.filter(kind=EventKind.NOTE, body__contains="back under").exists()
    # A new firing after that opens a new ticket: the resolved one is history.
    later, new = open_from_alert(notice(desk, 60))
    assert new
    assert later.pk != ticket.pk


def test_recovery_leaves_a_worked_ticket_open_with_a_note(desk: Desk) -> None:
    ticket, _ = open_from_alert(notice(desk))
    services.reply(ticket, "looking at it", by=desk.world.bob, public=False, at=MONDAY_10 + MINUTE)
    resolve_from_alert(notice(desk, 30))
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW
    assert ticket.events.filter(kind=EventKind.NOTE, body__startswith="Alert recovered").exists()


def test_time_booked_or_progress_counts_as_worked(desk: Desk) -> None:
    booked, _ = open_from_alert(notice(desk))
    TimeEntry.objects.create(
        client=booked.client,
        ticket=booked,
        technician=desk.world.bob,
        started_at=MONDAY_10,
        duration_seconds=600,
    )
    resolve_from_alert(notice(desk, 30))
    booked.refresh_from_db()
    assert booked.status == Status.NEW
    moved, _ = open_from_alert(notice(desk, reference="alert:43"))
    services.change_status(moved, Status.IN_PROGRESS, by=desk.world.bob, at=MONDAY_10 + MINUTE)
    resolve_from_alert(notice(desk, 30, reference="alert:43"))
    moved.refresh_from_db()
    assert moved.status == Status.IN_PROGRESS


def test_auto_resolve_can_be_turned_off(desk: Desk) -> None:
    ticket, _ = open_from_alert(notice(desk))
    resolve_from_alert(notice(desk, 30), auto_resolve=False)
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW


def test_a_recovery_without_an_open_ticket_does_nothing(desk: Desk) -> None:
    assert resolve_from_alert(notice(desk)) is None
