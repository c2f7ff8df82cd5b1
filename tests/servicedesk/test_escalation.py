"""SLA escalation: each warning and breach announced once, at its second, by one worker; the
breach mail checked as it leaves over a real SMTP server on loopback."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from steward.core.schedule import registered_jobs
from steward.servicedesk import escalation, services
from steward.servicedesk.choices import EventKind, Impact, Status, Urgency
from steward.servicedesk.escalation import Announcement, process_deadlines
from steward.servicedesk.importing import import_tickets
from steward.servicedesk.models import Ticket
from steward.servicedesk.services.sla import TermsCache, recompute_sla
from steward.servicedesk.tasks import announce_sla_deadlines
from steward.tenancy import services as tenancy
from steward.tenancy.choices import Role
from tests.servicedesk.conftest import MONDAY_10, Desk
from tests.servicedesk.smtp import Sink

# A P3 ticket opened Monday 10:00 Berlin (09:00 UTC) on office hours 09-17: respond within 4
# business hours (warning at 75 %, 3 hours), resolve within 16.
RESPONSE_WARNING = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
RESPONSE_BREACH = datetime(2026, 3, 2, 13, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)
# A breach is known one business second after its due, when the clock reads as breached.
BREACH_KNOWN = RESPONSE_BREACH + SECOND

OnCommit = Callable[..., Any]


def p3_ticket(desk: Desk) -> Ticket:
    with time_machine.travel(MONDAY_10, tick=False):
        return desk.ticket(impact=Impact.MEDIUM, urgency=Urgency.MEDIUM)


def run_at(moment: datetime) -> list[Announcement]:
    """What the periodic job does at ``moment``."""
    with time_machine.travel(moment, tick=False):
        return process_deadlines(timezone.now())


def kinds(ticket: Ticket, *wanted: str) -> list[tuple[str, datetime, str]]:
    events = ticket.events.filter(kind__in=wanted or [EventKind.SLA_WARNING, EventKind.SLA_BREACH])
    return [(e.kind, e.at, e.data.get("clock", "")) for e in events.order_by("at", "pk")]


def test_warning_at_its_second_and_never_again(desk: Desk) -> None:
    ticket = p3_ticket(desk)
    assert (ticket.next_deadline_at, ticket.next_deadline_kind) == (
        RESPONSE_WARNING,
        "response_warning",
    )
    assert run_at(RESPONSE_WARNING - SECOND) == []
    assert run_at(RESPONSE_WARNING) == [
        Announcement(ticket.pk, "response_warning", RESPONSE_WARNING)
    ]
    assert kinds(ticket) == [(EventKind.SLA_WARNING, RESPONSE_WARNING, "response")]
    ticket.refresh_from_db()
    assert (ticket.next_deadline_at, ticket.next_deadline_kind) == (
        BREACH_KNOWN,
        "response_breach",
    )
    assert ticket.sla_announced == ["response_warning"]
    assert run_at(RESPONSE_WARNING) == []
    assert run_at(RESPONSE_WARNING + 30 * SECOND) == []
    assert len(kinds(ticket)) == 1


def test_breach_one_second_after_its_due_escalates(
    desk: Desk, django_capture_on_commit_callbacks: Any
) -> None:
    ticket = p3_ticket(desk)
    run_at(RESPONSE_WARNING)
    assert run_at(RESPONSE_BREACH) == []  # elapsed equals the target: met, if answered now
    with django_capture_on_commit_callbacks() as callbacks:
        announced = run_at(BREACH_KNOWN)
    assert announced == [Announcement(ticket.pk, "response_breach", RESPONSE_BREACH)]
    assert announced[0].is_breach
    assert announced[0].clock == "response"
    assert len(callbacks) == 0  # nobody to tell: no service manager, no assignee
    ticket.refresh_from_db()
    assert ticket.response_met is False  # the board's "breached" column sees it at once
    assert ticket.next_deadline_kind == "resolution_warning"
    escalated = ticket.events.get(kind=EventKind.ESCALATED)
    assert escalated.data == {"clock": "response", "to": []}
    assert "nobody to tell" in escalated.body
    assert run_at(BREACH_KNOWN + SECOND) == []


def test_no_announcement_while_paused(desk: Desk) -> None:
    ticket = p3_ticket(desk)
    run_at(RESPONSE_WARNING)
    with time_machine.travel(RESPONSE_WARNING + timedelta(minutes=30), tick=False):
        services.change_status(
            ticket, Status.WAITING_ON_CLIENT, by=desk.world.bob, reason="which printer?"
        )
    ticket.refresh_from_db()
    assert ticket.next_deadline_at is None
    assert run_at(RESPONSE_BREACH) == []
    assert run_at(RESPONSE_BREACH + timedelta(hours=2)) == []
    # Resumed at 15:00 UTC with 30 business minutes left: the breach moves to 15:30.
    with time_machine.travel(datetime(2026, 3, 2, 15, 0, tzinfo=UTC), tick=False):
        services.change_status(ticket, Status.IN_PROGRESS, by=desk.world.bob)
    resumed_breach = datetime(2026, 3, 2, 15, 30, tzinfo=UTC)
    assert run_at(resumed_breach) == []
    assert run_at(resumed_breach + SECOND) == [
        Announcement(ticket.pk, "response_breach", resumed_breach)
    ]
    assert [k for k, _, _ in kinds(ticket)] == [EventKind.SLA_WARNING, EventKind.SLA_BREACH]


def test_two_workers_claim_one_deadline_once(desk: Desk) -> None:
    ticket = p3_ticket(desk)
    # Both workers read the due row before either claims it.
    due = (ticket.pk, ticket.next_deadline_at, ticket.next_deadline_kind)
    assert due[1] is not None
    first = escalation._claim_and_announce(*due, RESPONSE_WARNING, TermsCache())  # type: ignore[arg-type]
    second = escalation._claim_and_announce(*due, RESPONSE_WARNING, TermsCache())  # type: ignore[arg-type]
    assert [len(first), len(second)] == [1, 0]
    # And whole runs, one after the other at the same instant.
    assert run_at(RESPONSE_WARNING) == []
    assert len(kinds(ticket)) == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="real concurrent transactions need PostgreSQL"
)
def test_two_workers_at_once_on_postgresql(desk: Desk) -> None:
    tickets = [p3_ticket(desk) for _ in range(5)]
    start = threading.Barrier(2)
    results: list[list[Announcement]] = []

    def worker() -> None:
        try:
            start.wait()
            results.append(process_deadlines(RESPONSE_WARNING))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    announced = sorted(a.ticket_id for run in results for a in run)
    assert announced == sorted(t.pk for t in tickets)
    for ticket in tickets:
        assert len(kinds(ticket)) == 1


def test_a_late_run_announces_what_it_missed(desk: Desk) -> None:
    ticket = p3_ticket(desk)
    assert run_at(RESPONSE_BREACH) == [
        Announcement(ticket.pk, "response_warning", RESPONSE_WARNING)
    ]


def test_a_breach_supersedes_its_unannounced_warning(desk: Desk) -> None:
    ticket = p3_ticket(desk)
    # The job's first run comes after the breach: the warning is never announced.
    assert run_at(BREACH_KNOWN + timedelta(minutes=5)) == [
        Announcement(ticket.pk, "response_breach", RESPONSE_BREACH)
    ]
    assert kinds(ticket) == [(EventKind.SLA_BREACH, RESPONSE_BREACH, "response")]
    ticket.refresh_from_db()
    assert ticket.response_met is False
    assert ticket.sla_announced == ["response_breach", "response_warning"]
    assert ticket.next_deadline_kind == "resolution_warning"


def test_an_action_after_a_deadline_leaves_it_due(desk: Desk) -> None:
    ticket = p3_ticket(desk)
    # A note half a minute after the warning, before the job ran: the warning is still owed.
    with time_machine.travel(RESPONSE_WARNING + 30 * SECOND, tick=False):
        services.reply(ticket, "checking logs", by=desk.world.bob, public=False)
    ticket.refresh_from_db()
    assert (ticket.next_deadline_at, ticket.next_deadline_kind) == (
        RESPONSE_WARNING,
        "response_warning",
    )
    assert [a.kind for a in run_at(RESPONSE_WARNING + timedelta(minutes=1))] == ["response_warning"]


def test_a_late_response_is_still_announced_as_a_breach(desk: Desk) -> None:
    ticket = p3_ticket(desk)
    run_at(RESPONSE_WARNING)
    # Answered half a minute late, before the job's next run: the clock stopped, breached.
    with time_machine.travel(RESPONSE_BREACH + 30 * SECOND, tick=False):
        services.reply(ticket, "On it", by=desk.world.bob)
    ticket.refresh_from_db()
    assert ticket.response_met is False
    assert ticket.next_deadline_kind == "response_breach"
    assert run_at(RESPONSE_BREACH + timedelta(minutes=1)) == [
        Announcement(ticket.pk, "response_breach", RESPONSE_BREACH)
    ]
    assert run_at(RESPONSE_BREACH + timedelta(minutes=2)) == []


def test_a_response_at_the_due_second_is_no_breach(desk: Desk) -> None:
    ticket = p3_ticket(desk)
    run_at(RESPONSE_WARNING)
    with time_machine.travel(RESPONSE_BREACH, tick=False):
        services.reply(ticket, "On it", by=desk.world.bob)
    ticket.refresh_from_db()
    assert ticket.response_met is True
    assert ticket.next_deadline_kind == "resolution_warning"
    assert run_at(RESPONSE_BREACH + timedelta(minutes=1)) == []


def test_a_recomputed_deadline_is_not_announced_twice(desk: Desk) -> None:
    ticket = p3_ticket(desk)
    run_at(RESPONSE_WARNING)
    # A recompute that puts the announced deadline back (a replay, a corrected calendar that
    # comes out the same) must not announce it again; the job moves on.
    Ticket.objects.filter(pk=ticket.pk).update(
        next_deadline_at=RESPONSE_WARNING, next_deadline_kind="response_warning"
    )
    assert run_at(RESPONSE_WARNING + timedelta(minutes=1)) == []
    ticket.refresh_from_db()
    assert ticket.next_deadline_kind == "response_breach"
    assert len(kinds(ticket)) == 1


def test_a_breach_already_past_when_it_appears_is_announced_once(desk: Desk) -> None:
    ticket = p3_ticket(desk)
    raised = MONDAY_10 + timedelta(hours=2)
    # P1 runs on 24x7 with a one-hour response target: breached an hour ago, as of now.
    with time_machine.travel(raised, tick=False):
        services.set_priority(ticket, "P1", reason="whole office down", by=desk.world.bob)
    ticket.refresh_from_db()
    assert ticket.response_met is False
    # Owed since an hour ago: due for the next run.
    assert (ticket.next_deadline_at, ticket.next_deadline_kind) == (
        MONDAY_10 + timedelta(hours=1) + SECOND,
        "response_breach",
    )
    assert run_at(raised + SECOND) == [
        Announcement(ticket.pk, "response_breach", MONDAY_10 + timedelta(hours=1))
    ]
    assert ticket.events.filter(kind=EventKind.ESCALATED).count() == 1
    assert run_at(raised + timedelta(minutes=1)) == []
    # The resolution warning (3 hours in) still comes at its second.
    warning = MONDAY_10 + timedelta(hours=3)
    assert run_at(warning) == [Announcement(ticket.pk, "resolution_warning", warning)]


def test_the_periodic_job(desk: Desk) -> None:
    job = next(j for j in registered_jobs() if j.task is announce_sla_deadlines)
    assert job.every == timedelta(minutes=1)
    p3_ticket(desk)
    with time_machine.travel(RESPONSE_WARNING, tick=False):
        assert announce_sla_deadlines.call() == 1
        assert announce_sla_deadlines.call() == 0


# --- The breach mail, over SMTP -----------------------------------------------------------------


def test_breach_mail_to_service_managers_and_assignee(
    desk: Desk, sink: Sink, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.DEFAULT_FROM_EMAIL = "steward@msp.example"
    # The notify app sends after commit through a task; run tasks at once here.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    world = desk.world
    tenancy.create_user(username="sam", role=Role.SERVICE_MANAGER, email="sam@msp.example")
    tenancy.create_user(username="quiet", role=Role.SERVICE_MANAGER)  # no address: skipped
    tenancy.create_user(username="dan", role=Role.DISPATCHER, email="dan@msp.example")
    tenancy.update_user(world.bob, {"email": "bob@msp.example"})
    ticket = p3_ticket(desk)
    with time_machine.travel(MONDAY_10 + timedelta(minutes=5), tick=False):
        services.assign(ticket, world.bob, by=world.alice)
    run_at(RESPONSE_WARNING)
    assert sink.messages == []  # warnings go on the timeline only
    with django_capture_on_commit_callbacks(execute=True):
        run_at(BREACH_KNOWN)
    breach_mails = [(to, m) for to, m in sink.delivered() if "[SLA breach]" in m["Subject"]]
    # One mail per recipient (the notify app's default breach policy), the same content.
    assert sorted(to for to, _ in breach_mails) == [["bob@msp.example"], ["sam@msp.example"]]
    _, message = breach_mails[0]
    assert message["From"] == "steward@msp.example"
    assert message["Subject"] == f"[SLA breach] #{ticket.pk} Printer on fire (Acme Corporation)"
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    body = payload.decode()
    assert f"The response target of ticket #{ticket.pk} was breached." in body
    assert "Client:    Acme Corporation" in body
    assert "Priority:  P3" in body
    assert "Due:       2026-03-02 14:00:00 CET (2026-03-02 13:00:00 UTC)" in body
    assert "Assignee:  bob" in body
    escalated = ticket.events.get(kind=EventKind.ESCALATED)
    assert escalated.data["to"] == ["bob", "sam"]


# --- History is not news ------------------------------------------------------------------------


def test_an_imported_ticket_s_old_breaches_are_never_announced(desk: Desk) -> None:
    opened = MONDAY_10 - timedelta(days=7)
    record = {"external_ref": "OLD-9", "client": "acme", "subject": "Still open", "priority": "P3",
              "created_at": opened.isoformat(), "events": []}  # fmt: skip
    with time_machine.travel(MONDAY_10, tick=False):
        report = import_tickets(json.dumps([record]), fmt="json", user=desk.world.alice)
    assert report.imported == 1
    ticket = Ticket.objects.get(external_ref="OLD-9")
    assert ticket.response_met is False
    assert ticket.resolution_met is False
    assert set(ticket.sla_announced) == {
        "response_breach", "response_warning", "resolution_breach", "resolution_warning"
    }  # fmt: skip
    assert ticket.next_deadline_at is None
    assert run_at(MONDAY_10 + timedelta(minutes=1)) == []


def test_a_recompute_settles_what_it_moves_into_the_past(desk: Desk) -> None:
    ticket = p3_ticket(desk)
    later = BREACH_KNOWN + timedelta(minutes=5)
    list(recompute_sla(later))  # the job has not run: the recompute finds the breach reached
    ticket.refresh_from_db()
    assert ticket.response_met is False
    assert "response_breach" in ticket.sla_announced
    assert ticket.next_deadline_kind == "resolution_warning"
    assert run_at(later + SECOND) == []
