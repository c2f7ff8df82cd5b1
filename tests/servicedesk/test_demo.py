"""The service-desk demo seeder on a small scale: tickets with SLA outcomes the engine agrees
with, replies, notes, waits with reasons, time entries and surveys; scorecards with data."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from importlib import import_module
from typing import Any

import pytest
import time_machine

from steward.core.audit import verify_chain
from steward.core.demo import DemoContext, registered_seeders, run_seeders
from steward.core.models import AuditEntry
from steward.obligations.models import Evaluation
from steward.obligations.periods import Period
from steward.obligations.registry import registry
from steward.servicedesk.choices import EventKind, Source, Status
from steward.servicedesk.demo import seed_servicedesk
from steward.servicedesk.models import (
    Queue,
    Skill,
    Survey,
    TechnicianProfile,
    Ticket,
    TicketEvent,
    TimeEntry,
)
from steward.servicedesk.services.sla import CLOCK_EVENT_KINDS, SLA_FIELDS, compute_columns
from steward.tenancy.models import Client

NOW = datetime(2026, 11, 16, 10, 30, tzinfo=UTC)
SEEDERS = ("tenancy", "agreements", "servicedesk", "obligations")


def _context(seed: int = 5) -> DemoContext:
    return DemoContext(seed=seed, now=NOW, months=3, client_count=4)


@pytest.fixture
def demo(db: None) -> Iterator[DemoContext]:
    for app in SEEDERS:
        import_module(f"steward.{app}.demo")
    chosen = [s for s in registered_seeders() if s.name in SEEDERS]
    ctx = _context()
    with time_machine.travel(NOW, tick=False):
        run_seeders(ctx, chosen)
        yield ctx


def fingerprint() -> list[tuple[Any, ...]]:
    return list(
        Ticket.objects.order_by("created_at", "subject").values_list(
            "client__code", "created_at", "subject", "priority", "status", "response_met"
        )
    )


def test_runs_after_agreements_and_before_obligations() -> None:
    for app in SEEDERS:
        import_module(f"steward.{app}.demo")
    order = {s.name: s.order for s in registered_seeders()}
    assert order["agreements"] < order["servicedesk"] < order["obligations"]


def test_every_client_gets_tickets_worked_like_the_verbs_work_them(demo: DemoContext) -> None:
    clients = list(Client.objects.all())
    assert {t.client_id for t in Ticket.objects.all()} == {c.pk for c in clients}
    events = Counter(TicketEvent.objects.values_list("kind", flat=True))
    for kind in (EventKind.CREATED, EventKind.ASSIGNED, EventKind.REPLY, EventKind.NOTE,
                 EventKind.TIME, EventKind.SURVEY, EventKind.STATUS):  # fmt: skip
        assert events[kind] > 0, kind
    assert events[EventKind.CREATED] == Ticket.objects.count()
    waits = TicketEvent.objects.filter(kind=EventKind.STATUS, to_value=Status.WAITING_ON_CLIENT)
    assert waits.exists()
    assert all(w.body for w in waits)  # a reason, like change_status asks for
    staff_replies = TicketEvent.objects.filter(
        kind=EventKind.REPLY, public=True, actor__isnull=False, actor_contact__isnull=True
    )
    assert staff_replies.exists()
    assert TicketEvent.objects.filter(kind=EventKind.REPLY, actor_contact__isnull=False).exists()
    assert Ticket.objects.filter(source=Source.ALERT).exists()
    assert Ticket.objects.filter(status=Status.CLOSED).exists()
    assert Ticket.objects.exclude(status__in=[Status.RESOLVED, Status.CLOSED]).exists()
    assert not Ticket.objects.filter(created_at__gt=NOW).exists()
    assert not TicketEvent.objects.filter(at__gt=NOW).exists()


def test_sla_columns_are_what_the_engine_computes_from_the_events(demo: DemoContext) -> None:
    tickets = Ticket.objects.exclude(sla_policy=None)
    outcomes = Counter(tickets.values_list("response_met", flat=True))
    assert outcomes[True] > outcomes[False] > 0  # mostly met, some breached
    assert tickets.filter(resolution_met=False).exists()
    for ticket in Ticket.objects.all():
        events = list(ticket.events.filter(kind__in=CLOCK_EVENT_KINDS).order_by("at", "pk"))
        columns = compute_columns(ticket, events, NOW)
        stored = {name: getattr(ticket, name) for name in SLA_FIELDS}
        assert stored == columns, ticket


def test_time_entries_surveys_and_routing(demo: DemoContext) -> None:
    entries = TimeEntry.objects.all()
    assert entries.exists()
    assert all(60 <= e.duration_seconds <= 24 * 3600 for e in entries)
    assert all(e.started_at >= e.ticket.created_at for e in entries.select_related("ticket"))
    logged = TicketEvent.objects.filter(kind=EventKind.TIME)
    assert {e.data["entry"] for e in logged} == set(entries.values_list("pk", flat=True))
    surveys = Survey.objects.select_related("ticket")
    assert surveys.filter(rating__isnull=False).exists()
    assert surveys.filter(rating__isnull=True).exists()
    for survey in surveys:
        assert survey.ticket.resolved_at is not None or survey.ticket.reopen_count
        assert survey.answered_at is None or survey.sent_at < survey.answered_at <= NOW
    assert set(Queue.objects.values_list("name", flat=True)) == {"Service desk", "Projects"}
    assert Queue.objects.get(is_default=True).name == "Service desk"
    assert Skill.objects.filter(categories__isnull=False).distinct().count() == 6
    assert TechnicianProfile.objects.count() == len(demo.shared["staff"]["technician"])


def test_merged_alert_repeats_point_at_their_first_ticket(demo: DemoContext) -> None:
    for duplicate in Ticket.objects.filter(merged_into__isnull=False).select_related("merged_into"):
        assert duplicate.status == Status.CLOSED
        assert duplicate.source == Source.ALERT
        assert duplicate.merged_into.merged_into_id is None
        assert duplicate.merged_into.events.filter(kind=EventKind.MERGED).exists()


def test_scorecard_measures_have_data(demo: DemoContext) -> None:
    evaluated = Evaluation.objects.filter(measure_key="servicedesk.csat_average")
    assert evaluated.exclude(value=None).exists()
    october = Period.month(2026, 10)
    for key in ("servicedesk.response_attainment", "servicedesk.mttr", "servicedesk.csat_average"):
        item = registry.get(key)
        params = item.resolve_params({"priority": ""} if "priority" in item.params else {})
        values = [item(c, october, params).value for c in Client.objects.all()]
        assert any(v is not None for v in values), key


def test_the_audit_chain_verifies_and_records_the_bulk_write(demo: DemoContext) -> None:
    assert verify_chain() is None
    entries = AuditEntry.objects.filter(object_type="servicedesk.ticket")
    assert entries.count() == Client.objects.count()


def test_same_seed_same_tickets_and_a_second_run_adds_nothing(demo: DemoContext) -> None:
    before = fingerprint()
    seed_servicedesk(demo.for_seeder("servicedesk"))
    assert fingerprint() == before
    Ticket.objects.all().delete()
    seed_servicedesk(demo.for_seeder("servicedesk"))
    assert fingerprint() == before
