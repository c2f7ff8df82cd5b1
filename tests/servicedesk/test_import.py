"""Import of historical tickets: formats, per-row errors, duplicates, SLA as if live."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from steward.core.models import AuditEntry
from steward.servicedesk import services
from steward.servicedesk.api import importing as importing_api
from steward.servicedesk.choices import Impact, Source, Status, Urgency
from steward.servicedesk.importing import PayloadError, import_tickets
from steward.servicedesk.models import Ticket, TicketEvent
from steward.servicedesk.services.sla import SLA_FIELDS
from tests.servicedesk.conftest import MONDAY_10, Desk

NOW = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)
BERLIN = timezone(timedelta(hours=1))
COMPARED = (*SLA_FIELDS, "status", "closed_at", "reopen_count", "priority")


def at(hours: float) -> datetime:
    return MONDAY_10 + timedelta(hours=hours)


def iso(hours: float) -> str:
    # Berlin's offset on purpose: a time with any offset is the same instant.
    return at(hours).astimezone(BERLIN).isoformat()


def live_history(desk: Desk) -> Ticket:
    """The history every import test replays, worked live through the verbs."""
    bob = desk.world.bob
    ticket = desk.ticket(at=at(0), impact=Impact.MEDIUM, urgency=Urgency.MEDIUM)
    services.change_status(ticket, Status.ASSIGNED, by=bob, at=at(0.25))
    services.reply(ticket, "On it", by=bob, at=at(0.5))
    services.change_status(ticket, Status.WAITING_ON_CLIENT, by=bob, reason="which one?", at=at(1))
    services.change_status(ticket, Status.IN_PROGRESS, by=bob, at=at(26))
    services.reply(ticket, "internal", by=bob, public=False, at=at(27))
    services.change_status(ticket, Status.RESOLVED, by=bob, at=at(30))
    services.change_status(ticket, Status.CLOSED, by=bob, at=at(50))
    ticket.refresh_from_db()
    return ticket


def json_ticket(ref: str = "OLD-1", **fields: Any) -> dict[str, Any]:
    return {
        "external_ref": ref,
        "client": "acme",
        "subject": "Printer on fire",
        "impact": "medium",
        "urgency": "medium",
        "requester_email": "carol@acme.example",
        "created_at": iso(0),
        "events": [
            {"at": iso(0.25), "type": "status", "status": "assigned", "by": "bob"},
            {"at": iso(0.5), "type": "reply", "body": "On it", "by": "bob"},
            {"at": iso(1), "type": "status", "status": "waiting_on_client", "body": "which one?"},
            {"at": iso(26), "type": "status", "status": "in_progress"},
            {"at": iso(27), "type": "note", "body": "internal"},
            {"at": iso(30), "type": "status", "status": "resolved"},
            {"at": iso(50), "type": "status", "status": "closed"},
        ],
    } | fields


CSV_HEADER = (
    "external_ref,client,subject,priority,created_at,"
    "first_response_at,status_changes,resolved_at,closed_at\n"
)


def csv_row(ref: str = "OLD-1", created: str | None = None) -> str:
    changes = f"{iso(0.25)}=assigned;{iso(1)}=waiting_on_client;{iso(26)}=in_progress"
    return (
        f"{ref},acme,Printer on fire,P3,{created or iso(0)},{iso(0.5)},"
        f"{changes},{iso(30)},{iso(50)}\n"
    )


def columns(ticket: Ticket) -> dict[str, Any]:
    return {name: getattr(ticket, name) for name in COMPARED}


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def test_json_import_gives_the_sla_outcome_of_the_live_path(desk: Desk, frozen: None) -> None:
    live = live_history(desk)
    report = import_tickets(
        json.dumps({"tickets": [json_ticket()]}), fmt="json", user=desk.world.alice
    )
    assert (report.imported, report.errors, report.duplicates) == (1, [], [])
    imported = Ticket.objects.get(external_ref="OLD-1")
    assert imported.source == Source.IMPORT
    assert columns(imported) == columns(live)
    assert live.paused_business_seconds > 0
    assert live.response_met is True
    timeline = ("created", "status", "reply", "note")
    assert list(imported.events.values_list("kind", "at")) == list(
        live.events.filter(kind__in=timeline).values_list("kind", "at")
    )


def test_csv_import_gives_the_same_outcome(desk: Desk, frozen: None) -> None:
    live = live_history(desk)
    report = import_tickets(CSV_HEADER + csv_row(), fmt="csv", user=desk.world.alice)
    assert (report.imported, report.errors) == (1, [])
    assert columns(Ticket.objects.get(external_ref="OLD-1")) == columns(live)


def test_invalid_rows_are_reported_and_valid_rows_kept(desk: Desk, frozen: None) -> None:
    text = CSV_HEADER + csv_row("A") + csv_row("B", created="2026-03-02 10:00") + csv_row("C")
    report = import_tickets(text, fmt="csv", user=desk.world.alice)
    assert report.imported == 2
    assert [str(e) for e in report.errors] == [
        "row 2, created_at: not an ISO 8601 time with an offset (e.g. 2026-01-02T10:00:00+01:00)"
    ]
    assert sorted(Ticket.objects.values_list("external_ref", flat=True)) == ["A", "C"]
    assert TicketEvent.objects.filter(ticket__isnull=True).count() == 0
    assert TicketEvent.objects.count() == 2 * 7


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"priority": "P9", "impact": None, "urgency": None}, "priority", "'P9' is not one of"),
        ({"impact": None, "urgency": None}, "priority", "give a priority"),
        ({"urgency": None}, "urgency", "required with impact"),
        ({"external_ref": ""}, "external_ref", "required"),
        ({"subject": "x" * 300}, "subject", "longer than 255"),
        ({"subject": "nul\x00"}, "subject", "NUL"),
        ({"created_at": "2030-01-01T00:00:00+00:00"}, "created_at", "in the future"),
        ({"requester_email": "nobody@acme.example"}, "requester_email", "no contact of acme"),
        ({"category": "nope"}, "category", "no category with this code"),
        ({"client": "initech"}, "client", "no client 'initech'"),
        ({"kind": "rumour"}, "kind", "'rumour' is not one of"),
        ({"colour": "red"}, "colour", "unknown field"),
        ({"events": {"at": 1}}, "events", "must be a list"),
        (
            {"events": [{"at": iso(1), "type": "status", "status": "closed"}]},
            "events[0]",
            "cannot go from new to closed",
        ),
        ({"events": [{"at": iso(-1), "type": "reply"}]}, "events[0]", "before created_at"),
        ({"events": [{"at": iso(1), "type": "call"}]}, "events[0].type", "must be one of"),
        (
            {"events": [{"at": iso(1), "type": "note", "public": True}]},
            "events[0].public",
            "always internal",
        ),
        (
            {"events": [{"at": iso(1), "type": "reply", "by": "mallory"}]},
            "events[0].by",
            "no staff user or contact",
        ),
    ],
)
def test_each_bad_field_is_named_with_its_reason(
    desk: Desk, frozen: None, change: dict[str, Any], field: str, reason: str
) -> None:
    bad = {k: v for k, v in (json_ticket("BAD") | change).items() if v is not None}
    payload = json.dumps([json_ticket("GOOD"), bad])
    report = import_tickets(payload, fmt="json", user=desk.world.alice)
    assert report.imported == 1
    assert [(e.row, e.field) for e in report.errors][:1] == [(1, field)]
    assert reason in report.errors[0].reason
    assert list(Ticket.objects.values_list("external_ref", flat=True)) == ["GOOD"]


def test_a_ref_already_imported_is_a_duplicate(desk: Desk, frozen: None) -> None:
    payload = json.dumps([json_ticket("A"), json_ticket("B"), json_ticket("A")])
    first = import_tickets(payload, fmt="json", user=desk.world.alice)
    assert (first.imported, [d.row for d in first.duplicates]) == (2, [2])
    again = import_tickets(payload, fmt="json", user=desk.world.alice)
    assert (again.imported, len(again.duplicates), again.errors) == (0, 3, [])
    assert Ticket.objects.count() == 2
    # The same ref at another client is another ticket.
    other = json_ticket("A", client="globex", requester_email="dave@globex.example")
    other["events"] = [e | {"by": ""} for e in other["events"]]
    assert import_tickets(json.dumps([other]), fmt="json", user=desk.world.alice).imported == 1


def test_rows_of_a_client_the_user_cannot_see_are_refused(desk: Desk, frozen: None) -> None:
    globex = json_ticket("G", client="globex", requester_email="")
    report = import_tickets(json.dumps([json_ticket(), globex]), fmt="json", user=desk.world.bob)
    assert report.imported == 1
    assert [str(e) for e in report.errors] == ["row 1, client: no client 'globex' that you can see"]


def test_one_audit_entry_for_the_whole_import_and_none_for_a_dry_run(
    desk: Desk, frozen: None
) -> None:
    before = AuditEntry.objects.count()
    payload = json.dumps([json_ticket("A"), json_ticket("B")])
    dry = import_tickets(payload, fmt="json", user=desk.world.alice, dry_run=True)
    assert (dry.imported, Ticket.objects.count(), AuditEntry.objects.count()) == (2, 0, before)
    import_tickets(payload, fmt="json", user=desk.world.alice)
    entries = list(AuditEntry.objects.filter(seq__gt=before))
    assert len(entries) == 1
    after = entries[0].after or {}
    assert (after["imported"], after["per_client"]) == (2, {"acme": 2})
    assert entries[0].actor_name == ""  # the caller says who acts (middleware, CLI)


@pytest.mark.parametrize(
    ("fmt", "payload", "message"),
    [
        ("json", "{not json", "not valid JSON"),
        ("json", '{"rows": []}', "expected a list of tickets"),
        ("csv", "", "the CSV is empty"),
        ("csv", "external_ref,subject\n", "no 'created_at' column"),
        ("csv", "external_ref,created_at,colour\n", "unknown column 'colour'"),
        ("xml", "<x/>", "unknown format"),
    ],
)
def test_an_unreadable_payload_raises(desk: Desk, fmt: str, payload: str, message: str) -> None:
    with pytest.raises(PayloadError, match=message):
        import_tickets(payload, fmt=fmt, user=desk.world.alice)
    assert not Ticket.objects.exists()


def test_csv_client_for_the_whole_file_and_impact_urgency(desk: Desk, frozen: None) -> None:
    text = (
        "external_ref,subject,impact,urgency,created_at,category,resolved_at\n"
        f"X1,Slow laptop,low,low,{iso(0)},printing,{iso(2)}\n"
    )
    report = import_tickets(text, fmt="csv", user=desk.world.alice, client="acme")
    assert (report.imported, report.errors) == (1, [])
    ticket = Ticket.objects.get()
    assert (ticket.client, ticket.priority, ticket.category) == (
        desk.world.acme,
        "P4",
        desk.category,
    )
    assert (ticket.status, ticket.resolution_met, ticket.responded_at) == ("resolved", True, at(2))


# --- The API ------------------------------------------------------------------------------------

IMPORT_URL = "/api/v1/tickets/import"


def test_api_imports_json_and_reports_rows(desk: Desk, frozen: None) -> None:
    http = desk.world.bearer(desk.world.alice)
    payload = {"tickets": [json_ticket("A"), json_ticket("B", created_at="yesterday")]}
    response = http.post(IMPORT_URL, payload, content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["imported"], body["rejected"], body["duplicates"]) == (1, 1, 0)
    assert body["errors"][0]["row"] == 1
    assert body["errors"][0]["field"] == "created_at"
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry is not None
    assert (entry.actor_name, entry.source) == ("alice", "api")


def test_api_imports_csv_as_text_and_as_an_upload(desk: Desk, frozen: None) -> None:
    http = desk.world.bearer(desk.world.alice)
    text = CSV_HEADER + csv_row("A")
    response = http.post(IMPORT_URL, text, content_type="text/csv")
    assert (response.status_code, response.json()["imported"]) == (200, 1)
    upload = SimpleUploadedFile("old.csv", (CSV_HEADER + csv_row("B")).encode(), "text/csv")
    response = http.post(f"{IMPORT_URL}?dry_run=true", {"file": upload})
    assert response.status_code == 200, response.content
    assert (response.json()["imported"], response.json()["dry_run"]) == (1, True)
    assert Ticket.objects.count() == 1


@pytest.mark.parametrize(
    ("user", "scopes", "status"),
    [("bob", ("read", "write"), 403), ("carol", ("read", "write"), 403), ("alice", ("read",), 403)],
)
def test_api_import_needs_staff_with_write_and_clients_change(
    desk: Desk, user: str, scopes: tuple[str, ...], status: int
) -> None:
    http = desk.world.bearer(getattr(desk.world, user), scopes)
    response = http.post(IMPORT_URL, {"tickets": [json_ticket()]}, content_type="application/json")
    assert response.status_code == status
    assert not Ticket.objects.exists()


def test_api_refuses_unreadable_and_oversized_payloads(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    http = desk.world.bearer(desk.world.alice)
    response = http.post(IMPORT_URL, "{oops", content_type="application/json")
    assert response.status_code == 422
    assert "not valid JSON" in response.json()["detail"]
    assert http.post(IMPORT_URL, "<x/>", content_type="application/xml").status_code == 415
    monkeypatch.setattr(importing_api, "MAX_BYTES", 100)
    response = http.post(IMPORT_URL, CSV_HEADER + csv_row(), content_type="text/csv")
    assert response.status_code == 413
    monkeypatch.setattr(importing_api, "MAX_BYTES", 10_000)
    monkeypatch.setattr(importing_api, "MAX_ROWS", 2)
    rows = CSV_HEADER + csv_row("A") + csv_row("B") + csv_row("C")
    with time_machine.travel(NOW, tick=False):
        response = http.post(IMPORT_URL, rows, content_type="text/csv")
    assert response.status_code == 413
    assert "more than 2 tickets" in response.json()["detail"]
    assert not Ticket.objects.exists()


# --- The command --------------------------------------------------------------------------------


def test_cli_imports_a_file_and_fails_when_rows_are_rejected(
    desk: Desk, frozen: None, tmp_path: Path
) -> None:
    good = tmp_path / "tickets.csv"
    good.write_text(CSV_HEADER + csv_row("A"), encoding="utf-8")
    out = StringIO()
    call_command("import", "tickets", str(good), "--dry-run", stdout=out)
    assert "would import 1 ticket(s) with 7 event(s)" in out.getvalue()
    assert not Ticket.objects.exists()
    call_command("import", "tickets", str(good), "--as", "bob", stdout=out)
    assert Ticket.objects.get().events.get(kind="created").actor == desk.world.bob
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry is not None
    assert (entry.actor_name, entry.source) == ("bob", "cli")
    lines = tmp_path / "tickets.jsonl"
    lines.write_text(json.dumps(json_ticket("A")) + "\n" + json.dumps(json_ticket("Z", subject="")))
    out = StringIO()
    with pytest.raises(CommandError, match="1 row"):
        call_command("import", "tickets", str(lines), stdout=out)
    assert "row 2, subject: required" in out.getvalue()
    assert "row 1: acme already has 'A'" in out.getvalue()


def test_cli_refuses_what_it_cannot_read(desk: Desk, tmp_path: Path) -> None:
    odd = tmp_path / "tickets.txt"
    odd.write_text("x")
    with pytest.raises(CommandError, match="--format"):
        call_command("import", "tickets", str(odd))
    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("import", "tickets", str(odd), "--format", "json")
    with pytest.raises(CommandError, match="No such file"):
        call_command("import", "tickets", str(tmp_path / "missing.csv"))
    with pytest.raises(CommandError, match="--as"):
        call_command("import", "tickets", str(odd), "--as", "carol")


def test_api_reads_payloads_beyond_djangos_form_limit(desk: Desk, frozen: None) -> None:
    # 3.3 MB: over DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB), under the import's own cap.
    tickets = [json_ticket(f"BIG-{n}", description="x" * 95_000) for n in range(35)]
    http = desk.world.bearer(desk.world.alice)
    response = http.post(IMPORT_URL, {"tickets": tickets}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["imported"] == 35


def test_a_replay_of_imported_tickets_changes_nothing(desk: Desk, frozen: None) -> None:
    waiting = json_ticket("W")
    waiting["events"] = waiting["events"][:3]  # still waiting on the client
    payload = json.dumps([json_ticket("A"), waiting])
    assert import_tickets(payload, fmt="json", user=desk.world.alice).imported == 2
    assert list(services.recompute_sla(NOW)) == []
    assert Ticket.objects.get(external_ref="W").sla_paused
