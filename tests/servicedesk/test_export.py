"""Export of tickets with their SLA outcome: formats, streaming, range, scoping, round trip."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import CommandError, call_command

from steward.agreements import services as agreements
from steward.servicedesk import exporting, services
from steward.servicedesk.choices import Impact, Status, Urgency
from steward.servicedesk.exporting import CSV_COLUMNS, SLA_COLUMNS, export_tickets
from steward.servicedesk.importing import import_tickets
from steward.servicedesk.models import Ticket
from steward.tenancy import services as tenancy
from steward.tenancy.models import Client
from tests.servicedesk.conftest import BERLIN_OFFICE, Desk, sla_policy
from tests.servicedesk.test_import import NOW, at, live_history

COMPARED = (*SLA_COLUMNS, "status", "closed_at", "priority", "plan_due_at", "planned_at")


@pytest.fixture
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def fresh_client() -> Client:
    """A client set up like Acme (same calendar and targets), with Carol as a contact."""
    client = tenancy.create_client(name="Initech", code="initech", timezone="Europe/Berlin")
    tenancy.create_contact(client, first_name="Carol", email="carol@acme.example")
    agreement = agreements.create_agreement(
        client, reference="INITECH-MSA", start_date=date(2025, 1, 1), term_months=36
    )
    sla_policy(agreement, BERLIN_OFFICE | {"name": "Initech office"}, p1_always=True)
    return client


def history(desk: Desk) -> list[Ticket]:
    """The import tests' history, plus a ticket still waiting on the client and a P2 with a
    resolution plan that was reopened once."""
    bob = desk.world.bob
    waiting = desk.ticket(at=at(2), impact=Impact.HIGH, urgency=Urgency.LOW)
    services.change_status(waiting, Status.WAITING_ON_CLIENT, by=bob, reason="?", at=at(3))
    planned = desk.ticket(at=at(4), impact=Impact.HIGH, urgency=Urgency.MEDIUM)
    services.give_plan(planned, "Replace the fuser", by=bob, at=at(5))
    services.change_status(planned, Status.RESOLVED, by=bob, at=at(6))
    services.change_status(planned, Status.IN_PROGRESS, by=bob, at=at(7))
    services.change_status(planned, Status.RESOLVED, by=bob, at=at(30))
    tickets = [live_history(desk), waiting, planned]
    for ticket in tickets:
        ticket.refresh_from_db()
    return tickets


def columns(ticket: Ticket) -> dict[str, Any]:
    return {name: getattr(ticket, name) for name in COMPARED}


def text(fmt: str) -> str:
    return "".join(export_tickets(Ticket.objects.filter(client__code="acme"), fmt))


def without_client(fmt: str, exported: str) -> str:
    if fmt == "json":
        document = json.loads(exported)
        for ticket in document["tickets"]:
            ticket["client"] = ""
        return json.dumps(document)
    rows = list(csv.DictReader(io.StringIO(exported)))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    writer.writerows([row | {"client": ""} for row in rows])
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_export_then_import_into_a_fresh_client_gives_the_same_sla(
    desk: Desk, frozen: None, fmt: str
) -> None:
    originals = history(desk)
    if fmt == "csv":
        originals = originals[:2]  # CSV carries no resolution plans (JSON does)
        Ticket.objects.exclude(pk__in=[t.pk for t in originals]).delete()
    fresh = fresh_client()
    payload = without_client(fmt, text(fmt))
    report = import_tickets(payload, fmt=fmt, user=desk.world.alice, client="initech")
    assert (report.imported, report.errors, report.duplicates) == (len(originals), [], [])
    for original in originals:
        copy = Ticket.objects.get(client=fresh, external_ref=f"steward-{original.pk}")
        assert columns(copy) == columns(original)
    assert originals[1].sla_paused
    assert originals[0].paused_business_seconds > 0


def test_csv_export_lists_the_timeline_and_every_sla_field(desk: Desk, frozen: None) -> None:
    ticket = history(desk)[0]
    rows = {row["number"]: row for row in csv.DictReader(io.StringIO(text("csv")))}
    row = rows[str(ticket.pk)]
    assert list(row) == list(CSV_COLUMNS)
    assert row["first_response_at"] == at(0.5).isoformat()
    assert row["status_changes"].split(";")[0] == f"{at(0.25).isoformat()}=assigned"
    assert row["status_changes"].endswith(f"{at(50).isoformat()}=closed")
    assert row["resolved_at"] == at(30).isoformat()
    assert row["response_met"] == "True"
    assert row["business_seconds_to_response"] == str(ticket.business_seconds_to_response)
    assert row["paused_business_seconds"] == str(ticket.paused_business_seconds)
    assert row["requester_email"] == "carol@acme.example"


def test_json_export_holds_the_events_and_sla_fields(desk: Desk, frozen: None) -> None:
    ticket = history(desk)[0]
    tickets = {t["number"]: t for t in json.loads(text("json"))["tickets"]}
    exported = tickets[ticket.pk]
    assert ticket.resolution_due_at is not None
    assert exported["resolution_due_at"] == ticket.resolution_due_at.isoformat()
    assert exported["resolution_met"] is True
    assert exported["events"][1] == {
        "at": at(0.5).isoformat(),
        "type": "reply",
        "body": "On it",
        "by": "bob",
    }


def test_export_streams_in_chunks_with_two_queries_each(
    desk: Desk, frozen: None, monkeypatch: pytest.MonkeyPatch, django_assert_num_queries: Any
) -> None:
    for n in range(5):
        desk.ticket(at=at(n))
    monkeypatch.setattr(exporting, "CHUNK", 2)
    parts = export_tickets(Ticket.objects.all(), "json")
    assert next(parts) == '{"tickets": ['
    with django_assert_num_queries(2):
        assert next(parts).count('"number"') == 2
    assert len(list(parts)) == 3  # two more chunks (2 and 1 tickets) and the closing bracket
    document = json.loads("".join(export_tickets(Ticket.objects.all(), "json")))
    assert len(document["tickets"]) == 5


def test_the_range_is_days_in_the_clients_zone(desk: Desk, frozen: None) -> None:
    desk.ticket(at=at(0))  # 2026-03-02 10:00 Berlin
    desk.ticket(at=at(24 * 3))
    acme = desk.world.acme
    tickets = Ticket.objects.all()
    assert exporting.client_tickets(tickets, acme, "2026-03-02", "2026-03-03").count() == 1
    assert exporting.client_tickets(tickets, acme, "2026-03-03", None).count() == 1
    assert exporting.client_tickets(tickets, acme, "2026-03-02T10:00:01+01:00", None).count() == 1
    with pytest.raises(ValueError, match="since: give the time with an offset"):
        exporting.client_tickets(tickets, acme, "2026-03-02T10:00:00", None)
    with pytest.raises(ValueError, match="until: not a date"):
        exporting.client_tickets(tickets, acme, None, "soon")


EXPORT_URL = "/api/v1/tickets/export"


def test_api_export_is_scoped_to_what_the_user_sees(desk: Desk, frozen: None) -> None:
    history(desk)
    response = desk.world.bearer(desk.world.bob).get(f"{EXPORT_URL}?client=acme&format=csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    body = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    assert len(list(csv.DictReader(io.StringIO(body)))) == 3
    assert desk.world.bearer(desk.world.bob).get(f"{EXPORT_URL}?client=globex").status_code == 404
    assert desk.world.bearer(desk.world.carol).get(f"{EXPORT_URL}?client=acme").status_code == 403
    bad = desk.world.bearer(desk.world.alice).get(f"{EXPORT_URL}?client=acme&since=soon")
    assert bad.status_code == 422
    assert "since" in bad.json()["detail"]


def test_cli_export_writes_a_file(desk: Desk, frozen: None, tmp_path: Path) -> None:
    history(desk)
    target = tmp_path / "acme.json"
    args = ("--client", "acme", "--since", "2026-03-01", "--format", "json", "-o", str(target))
    call_command("export", "tickets", *args)
    assert len(json.loads(target.read_text())["tickets"]) == 3
    out = io.StringIO()
    call_command("export", "tickets", "--client", "acme", "--since", "2026-03-03", stdout=out)
    assert len(out.getvalue().splitlines()) == 1  # the header: all three opened on the 2nd
    with pytest.raises(CommandError, match="--client"):
        call_command("export", "tickets", "--client", "nope", "--since", "2026-01-01")
    with pytest.raises(CommandError, match="--since"):
        call_command("export", "tickets", "--client", "acme", "--since", "03/01/2026")
