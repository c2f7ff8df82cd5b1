"""The tickets API with bearer tokens: filters, every action, field errors, contacts' limits."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from hypothesis import assume, given
from hypothesis import strategies as st

from steward.servicedesk import queries, services
from steward.servicedesk.choices import EventKind, Impact, Status, Urgency
from steward.servicedesk.models import Attachment, Ticket, TicketLink
from tests.servicedesk.builders import PNG
from tests.servicedesk.conftest import MONDAY_10, Desk

API = "/api/v1"
SLA_FIELDS = {
    "response_due_at", "resolution_due_at", "plan_due_at", "responded_at", "resolved_at",
    "response_met", "resolution_met", "business_seconds_to_response",
    "business_seconds_to_resolution", "paused_business_seconds", "sla_paused", "next_deadline_at",
}  # fmt: skip


def post(http: HttpClient, url: str, body: dict[str, Any]) -> Any:
    return http.post(f"{API}{url}", body, content_type="application/json")


def ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["items"]]


def error_fields(response: Any) -> list[str]:
    """The field names a 422 names (the service errors' ``loc``, or ``field: …`` text)."""
    assert response.status_code == 422, response.content
    detail = response.json()["detail"]
    if isinstance(detail, str):
        return [detail.split(":")[0]]
    return [str(item["loc"][-1]) for item in detail]


# --- Opening and reading ------------------------------------------------------------------------


def test_staff_open_a_ticket_with_its_sla_fields(desk: Desk) -> None:
    http = desk.world.bearer(desk.world.alice)
    with time_machine.travel(MONDAY_10, tick=False):
        created = post(http, "/tickets", {
            "client_id": desk.world.acme.pk, "subject": "Mail down", "impact": "medium",
            "urgency": "medium", "category": "printing", "site_id": desk.world.acme_site.pk,
            "requester_id": desk.world.acme_contact.pk,
        })  # fmt: skip
    assert created.status_code == 201, created.content
    out = created.json()
    assert set(out) >= SLA_FIELDS
    assert out["number"] == f"#{out['id']}"
    assert (out["client_name"], out["priority"], out["status"]) == ("Acme Corporation", "P3", "new")
    assert out["category_code"] == "printing"
    assert out["requester_name"] == "Carol Acmeson"
    assert out["response_due_at"] == "2026-03-02T13:00:00Z"
    assert out["response_met"] is None
    assert out["sla_paused"] is False
    assert Ticket.objects.get(pk=out["id"]).source == "api"
    again = http.get(f"{API}/tickets/{out['id']}")
    assert again.json()["resolution_due_at"] == "2026-03-04T09:00:00Z"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"subject": "x"}, "client_id"),
        ({"subject": "x", "priority": "P1"}, "priority_reason"),
        ({"subject": "x", "category": "nope"}, "category"),
        ({"subject": "x", "site_id": "globex_site"}, "site_id"),
        ({"subject": "x", "requester_id": "globex_contact"}, "requester_id"),
        ({"subject": "x", "queue_id": 999}, "queue_id"),
        ({"subject": ""}, "subject"),
        ({"subject": "x", "impact": "huge"}, "impact"),
    ],
)
def test_bad_input_names_the_field(desk: Desk, body: dict[str, Any], field: str) -> None:
    world = desk.world
    for key in ("site_id", "requester_id"):
        if isinstance(body.get(key), str):
            body[key] = getattr(world, body[key]).pk
    if field != "client_id":
        body["client_id"] = world.acme.pk
    answer = post(world.bearer(world.alice), "/tickets", body)
    assert field in error_fields(answer)
    assert not Ticket.objects.exists()


def test_a_contact_opens_for_their_own_client_as_requester(desk: Desk) -> None:
    world = desk.world
    http = world.bearer(world.carol)
    made = post(http, "/tickets", {"client_id": world.globex.pk, "subject": "VPN"})
    assert made.status_code == 201, made.content
    ticket = Ticket.objects.get(pk=made.json()["id"])
    assert (ticket.client, ticket.requester) == (world.acme, world.acme_contact)
    created = ticket.events.get()
    assert (created.actor_contact, created.actor) == (world.acme_contact, None)
    assert post(http, "/tickets", {"subject": "x", "priority": "P1"}).status_code == 403
    other = post(http, "/tickets", {"subject": "x", "requester_id": world.globex_contact.pk})
    assert error_fields(other) == ["requester_id"]


def test_read_only_tokens_and_auditors_cannot_write(desk: Desk) -> None:
    ticket = desk.ticket()
    body = {"status": "in_progress"}
    reader = desk.world.bearer(desk.world.alice, scopes=("read",))
    assert post(reader, f"/tickets/{ticket.pk}/status", body).status_code == 403
    auditor = desk.world.bearer(desk.world.ivan)
    assert auditor.get(f"{API}/tickets/{ticket.pk}").status_code == 200
    assert post(auditor, f"/tickets/{ticket.pk}/status", body).status_code == 403


# --- The list and its filters -------------------------------------------------------------------


def test_list_filters(desk: Desk) -> None:
    world = desk.world
    old = desk.ticket(subject="Old printer", impact=Impact.HIGH, urgency=Urgency.HIGH)
    services.assign(old, world.bob, by=world.alice)
    late = desk.ticket(at=MONDAY_10 + timedelta(days=1), subject="Late mail", kind="change")
    services.change_status(late, Status.RESOLVED, by=world.bob, at=MONDAY_10 + timedelta(days=2))
    globex = desk.ticket(client=world.globex, subject="Globex", requester=world.globex_contact)
    http = world.bearer(world.alice)
    every = f"{API}/tickets"
    assert ids(http.get(every)) == [late.pk, globex.pk, old.pk]  # newest first, then by id
    assert ids(http.get(every, {"client_id": world.globex.pk})) == [globex.pk]
    assert ids(http.get(every, {"status": "resolved"})) == [late.pk]
    assert ids(http.get(f"{every}?status=resolved&status=assigned")) == [late.pk, old.pk]
    assert ids(http.get(every, {"status": "resolved,assigned"})) == [late.pk, old.pk]
    assert ids(http.get(every, {"priority": "P1"})) == [old.pk]
    assert ids(http.get(every, {"kind": "change"})) == [late.pk]
    assert ids(http.get(every, {"assignee_id": world.bob.pk})) == [old.pk]
    assert ids(http.get(every, {"unassigned": "true", "open": "true"})) == [globex.pk]
    assert ids(http.get(every, {"open": "false"})) == [late.pk]
    assert ids(http.get(every, {"q": "PRINTER"})) == [old.pk]
    after = {"created_after": "2026-03-03T00:00:00Z", "created_before": "2026-03-04T00:00:00Z"}
    assert ids(http.get(every, after)) == [late.pk]
    bob = world.bearer(world.bob)
    assert ids(bob.get(every, {"mine": "true"})) == [old.pk]
    assert globex.pk not in ids(bob.get(every))  # bob works for Acme only
    assert error_fields(http.get(every, {"status": "new,lost"})) == ["status"]
    assert http.get(every, {"kind": "nope"}).status_code == 422


def test_breached_and_at_risk(desk: Desk) -> None:
    world = desk.world
    urgent = {"impact": Impact.HIGH, "urgency": Urgency.HIGH}  # P1: 1 h response, 4 h, 24x7
    http = world.bearer(world.alice)
    with time_machine.travel(MONDAY_10, tick=False):
        missed = desk.ticket(subject="missed", **urgent)
        services.reply(missed, "sorry", by=world.bob, at=MONDAY_10 + timedelta(hours=2))
        kept = desk.ticket(subject="kept", **urgent)
        services.reply(kept, "on it", by=world.bob, at=MONDAY_10 + timedelta(minutes=5))
    fresh_at = MONDAY_10 + timedelta(minutes=50)  # its warning: 45 minutes later
    with time_machine.travel(fresh_at, tick=False):
        fresh = desk.ticket(subject="fresh", at=fresh_at, **urgent)
        assert ids(http.get(f"{API}/tickets", {"breached": "true"})) == [missed.pk]
        assert missed.pk not in ids(http.get(f"{API}/tickets", {"breached": "false"}))
        assert fresh.pk not in ids(http.get(f"{API}/tickets", {"at_risk": "true"}))
    # Past every warning (75 % of 4 h after the start is 12:00 Berlin = 3 h in).
    with time_machine.travel(MONDAY_10 + timedelta(hours=3, minutes=30), tick=False):
        risky = ids(http.get(f"{API}/tickets", {"at_risk": "true"}))
        assert set(risky) == {missed.pk, kept.pk, fresh.pk}
        services.change_status(kept, Status.RESOLVED, by=world.bob)
        assert kept.pk not in ids(http.get(f"{API}/tickets", {"at_risk": "true"}))


def test_contacts_see_their_clients_tickets_without_staff_filters(desk: Desk) -> None:
    world = desk.world
    acme = desk.ticket()
    globex = desk.ticket(client=world.globex, requester=world.globex_contact)
    dave = world.bearer(world.dave)
    assert ids(dave.get(f"{API}/tickets")) == [globex.pk]
    assert ids(dave.get(f"{API}/tickets", {"client_id": world.acme.pk})) == []
    assert dave.get(f"{API}/tickets/{acme.pk}").status_code == 404
    assert post(dave, f"/tickets/{acme.pk}/replies", {"body": "hi"}).status_code == 404
    assert dave.get(f"{API}/tickets", {"assignee_id": world.bob.pk}).status_code == 403
    assert world.bearer(world.eve).get(f"{API}/tickets/{acme.pk}").status_code == 404


# --- Conversation and timeline ------------------------------------------------------------------


def test_replies_notes_and_what_contacts_see(desk: Desk) -> None:
    world = desk.world
    ticket = desk.ticket()
    bob, carol = world.bearer(world.bob), world.bearer(world.carol)
    reply = post(bob, f"/tickets/{ticket.pk}/replies", {"body": "On my way"})
    assert reply.status_code == 201
    assert reply.json()["kind"] == "reply"
    note = post(bob, f"/tickets/{ticket.pk}/replies", {"body": "Secret toner", "public": False})
    assert note.json()["kind"] == "note"
    assert note.json()["public"] is False
    assert (
        post(carol, f"/tickets/{ticket.pk}/replies", {"body": "x", "public": False}).status_code
        == 403
    )
    answer = post(carol, f"/tickets/{ticket.pk}/replies", {"body": "Thanks"})
    assert answer.status_code == 201
    assert answer.json()["actor_contact_id"] == world.acme_contact.pk
    plan = post(bob, f"/tickets/{ticket.pk}/plan", {"body": "Swap the drum"})
    assert plan.status_code == 201
    assert post(carol, f"/tickets/{ticket.pk}/plan", {"body": "mine"}).status_code == 403
    staff_view = bob.get(f"{API}/tickets/{ticket.pk}/events").json()["items"]
    assert [e["kind"] for e in staff_view] == ["created", "reply", "note", "reply", "plan"]
    contact_view = carol.get(f"{API}/tickets/{ticket.pk}/events")
    assert [e["kind"] for e in contact_view.json()["items"]] == [
        "created",
        "reply",
        "reply",
        "plan",
    ]
    assert b"Secret toner" not in contact_view.content
    assert error_fields(post(bob, f"/tickets/{ticket.pk}/replies", {"body": ""})) == ["body"]
    ticket.refresh_from_db()
    assert ticket.responded_at is not None


# --- Workflow -----------------------------------------------------------------------------------


def test_status_assign_and_priority(desk: Desk) -> None:
    world = desk.world
    ticket = desk.ticket()
    http, carol = world.bearer(world.alice), world.bearer(world.carol)
    url = f"/tickets/{ticket.pk}"
    waiting = {"status": "waiting_on_client"}
    assert error_fields(post(http, f"{url}/status", waiting)) == ["reason"]
    paused = post(http, f"{url}/status", waiting | {"reason": "asked for the model"})
    assert paused.status_code == 200
    assert paused.json()["sla_paused"] is True
    assert error_fields(post(http, f"{url}/status", {"status": "closed"})) == ["status"]
    assert post(carol, f"{url}/status", {"status": "resolved"}).status_code == 403
    assert error_fields(post(http, f"{url}/assign", {"assignee_id": world.eve.pk})) == [
        "assignee_id"
    ]
    assigned = post(http, f"{url}/assign", {"assignee_id": world.bob.pk})
    assert assigned.json()["assignee_username"] == "bob"
    assert post(carol, f"{url}/assign", {"assignee_id": None}).status_code == 403
    assert post(http, f"{url}/assign", {"assignee_id": None}).json()["assignee_id"] is None
    assert error_fields(post(http, f"{url}/priority", {"priority": "P1"})) == ["reason"]
    raised = post(http, f"{url}/priority", {"priority": "P1", "reason": "CEO"})
    assert (raised.json()["priority"], raised.json()["priority_reason"]) == ("P1", "CEO")
    assert post(carol, f"{url}/priority", {"priority": "P2", "reason": "x"}).status_code == 403


def test_patch_updates_and_names_bad_fields(desk: Desk) -> None:
    world = desk.world
    ticket = desk.ticket()
    http = world.bearer(world.alice)
    url = f"{API}/tickets/{ticket.pk}"
    body = {"subject": "Printer smokes", "impact": "high", "urgency": "high",
            "category": str(desk.category.pk)}  # fmt: skip
    changed = http.patch(url, body, content_type="application/json")
    assert changed.status_code == 200, changed.content
    assert (changed.json()["subject"], changed.json()["priority"]) == ("Printer smokes", "P1")
    assert changed.json()["category_code"] == "printing"
    foreign = {"site_id": world.globex_site.pk}
    assert error_fields(http.patch(url, foreign, content_type="application/json")) == ["site_id"]
    null = http.patch(url, {"subject": None}, content_type="application/json")
    assert error_fields(null) == ["subject"]
    cleared = http.patch(url, {"category": None}, content_type="application/json")
    assert cleared.json()["category_id"] is None
    carol = world.bearer(world.carol)
    assert carol.patch(url, {"subject": "x"}, content_type="application/json").status_code == 403


# --- Watchers, links, merge ---------------------------------------------------------------------


def test_watchers(desk: Desk) -> None:
    world = desk.world
    ticket = desk.ticket()
    http = world.bearer(world.alice)
    added = post(http, f"/tickets/{ticket.pk}/watchers", {"user_id": world.bob.pk})
    assert added.status_code == 201
    assert [u["username"] for u in added.json()] == ["bob"]
    again = post(http, f"/tickets/{ticket.pk}/watchers", {"user_id": world.bob.pk})
    assert error_fields(again) == ["user_id"]
    refused = post(http, f"/tickets/{ticket.pk}/watchers", {"user_id": world.dave.pk})
    assert error_fields(refused) == ["user_id"]  # dave cannot see Acme
    assert http.get(f"{API}/tickets/{ticket.pk}/watchers").json()[0]["id"] == world.bob.pk
    assert http.delete(f"{API}/tickets/{ticket.pk}/watchers/{world.bob.pk}").status_code == 204
    assert http.delete(f"{API}/tickets/{ticket.pk}/watchers/{world.bob.pk}").status_code == 404
    assert not ticket.watchers.exists()


def test_links_and_merge(desk: Desk) -> None:
    world = desk.world
    first, second = desk.ticket(subject="one"), desk.ticket(subject="two")
    globex = desk.ticket(client=world.globex, requester=world.globex_contact)
    http = world.bearer(world.alice)
    made = post(http, f"/tickets/{first.pk}/links", {"kind": "related", "target_id": second.pk})
    assert made.status_code == 201
    assert made.json()["target_id"] == second.pk
    asset = post(http, f"/tickets/{first.pk}/links", {"kind": "asset", "reference": "PC-42"})
    assert asset.json()["reference"] == "PC-42"
    assert error_fields(post(http, f"/tickets/{first.pk}/links", {"kind": "related"})) == [
        "target_id"
    ]
    cross = post(http, f"/tickets/{first.pk}/links", {"kind": "related", "target_id": globex.pk})
    assert error_fields(cross) == ["target_id"]
    assert len(http.get(f"{API}/tickets/{first.pk}/links").json()) == 2
    assert error_fields(post(http, f"/tickets/{first.pk}/merge", {"into_id": first.pk})) == [
        "into_id"
    ]
    carol = world.bearer(world.carol)
    assert post(carol, f"/tickets/{second.pk}/merge", {"into_id": first.pk}).status_code == 403
    merged = post(http, f"/tickets/{second.pk}/merge", {"into_id": first.pk})
    assert merged.status_code == 200
    assert merged.json()["id"] == first.pk
    second.refresh_from_db()
    assert (second.status, second.merged_into_id) == (Status.CLOSED, first.pk)
    assert TicketLink.objects.filter(ticket=second, target=first, kind="duplicate").exists()


# --- Attachments --------------------------------------------------------------------------------


def _upload(http: HttpClient, ticket: Ticket, **fields: Any) -> Any:
    return http.post(f"{API}/tickets/{ticket.pk}/attachments", fields)


def test_attachments_upload_list_and_download(desk: Desk, tmp_path: Any) -> None:
    world = desk.world
    ticket = desk.ticket()
    bob, carol = world.bearer(world.bob), world.bearer(world.carol)
    shot = tmp_path / "screen.txt"  # named .txt, but the bytes are a PNG
    shot.write_bytes(PNG)
    with shot.open("rb") as handle:
        made = _upload(bob, ticket, file=handle)
    assert made.status_code == 201, made.content
    (out,) = made.json()
    assert (out["filename"], out["content_type"], out["size"]) == ("screen.txt", "image/png", 40)
    got = bob.get(out["download_url"])
    assert got.status_code == 200
    assert got.content == PNG
    assert got["Content-Type"] == "image/png"
    assert got["X-Content-Type-Options"] == "nosniff"
    assert got["Content-Disposition"] == 'attachment; filename="screen.txt"'
    # The internal upload is not the client's to see.
    assert carol.get(f"{API}/tickets/{ticket.pk}/attachments").json() == []
    assert carol.get(out["download_url"]).status_code == 404
    assert world.bearer(world.dave).get(out["download_url"]).status_code == 404
    # A contact attaches to their own reply, which makes the file public.
    answer = post(carol, f"/tickets/{ticket.pk}/replies", {"body": "log attached"}).json()
    note = tmp_path / "log.txt"
    note.write_text("boot failed\n")
    with note.open("rb") as handle:
        assert _upload(carol, ticket, file=handle).status_code == 422  # no event_id
    with note.open("rb") as handle:
        mine = _upload(carol, ticket, file=handle, event_id=answer["id"])
    assert mine.status_code == 201, mine.content
    assert [a["filename"] for a in carol.get(f"{API}/tickets/{ticket.pk}/attachments").json()] == [
        "log.txt"
    ]
    events = carol.get(f"{API}/tickets/{ticket.pk}/events").json()["items"]
    assert events[-1]["attachment_ids"] == [mine.json()[0]["id"]]
    assert error_fields(_upload(bob, ticket)) == ["file"]


def test_an_oversized_file_attaches_nothing(
    desk: Desk, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STEWARD_ATTACHMENT_MAX_BYTES", "100")
    ticket = desk.ticket()
    small, big = tmp_path / "a.txt", tmp_path / "b.txt"
    small.write_text("fine")
    big.write_text("x" * 101)
    http = desk.world.bearer(desk.world.bob)
    with small.open("rb") as one, big.open("rb") as two:
        refused = http.post(f"{API}/tickets/{ticket.pk}/attachments", {"file": [one, two]})
    assert error_fields(refused) == ["file"]
    assert not Attachment.objects.exists()
    assert not ticket.events.filter(kind=EventKind.ATTACHMENT).exists()


# --- The repeatable, comma-separated choice parameters ------------------------------------------

STATUSES = st.sampled_from(Status.values)


@given(groups=st.lists(st.lists(STATUSES, min_size=1, max_size=4), min_size=1, max_size=3),
       spaces=st.sampled_from(["", " ", "  "]))  # fmt: skip
def test_choice_parameters_take_repeats_and_comma_lists(
    groups: list[list[str]], spaces: str
) -> None:
    raw = [f",{spaces}".join(group) for group in groups]
    assert queries._choices(raw, Status.values, "status") == [s for g in groups for s in g]


@given(good=st.lists(STATUSES, max_size=3), bad=st.text(min_size=1, max_size=30))
def test_an_unknown_choice_is_refused_naming_the_field(good: list[str], bad: str) -> None:
    token = bad.strip()
    assume(token and "," not in token and token not in Status.values)
    with pytest.raises(ValidationError) as caught:
        queries._choices([",".join([*good, token])], Status.values, "status")
    assert list(caught.value.message_dict) == ["status"]
