"""Time entries and timers: verbs, the API, the time panel and "My time"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from steward.servicedesk.choices import EventKind, WorkType
from steward.servicedesk.models import Ticket, TimeEntry, Timer
from steward.servicedesk.services import work
from steward.tenancy import services as tenancy
from steward.tenancy.choices import Role
from tests.conftest import PASSWORD
from tests.servicedesk.conftest import MONDAY_10, Desk

LATER = MONDAY_10 + timedelta(hours=2)


def time_events(ticket: Ticket) -> list[dict[str, object]]:
    return [e.data for e in ticket.events.filter(kind=EventKind.TIME).order_by("pk")]


@given(st.integers(min_value=-10, max_value=3 * 86400))
def test_rounding_is_up_to_whole_minutes_and_at_least_one(seconds: int) -> None:
    rounded = work.rounded_seconds(timedelta(seconds=seconds))
    assert rounded % 60 == 0
    assert rounded >= 60
    assert rounded >= seconds
    assert rounded - max(seconds, 1) < 60


def test_log_time_writes_an_entry_and_an_internal_timeline_event(desk: Desk) -> None:
    ticket = desk.ticket()
    entry = work.log_time(
        ticket,
        desk.world.bob,
        started_at=MONDAY_10,
        duration_seconds=1800,
        work_type=WorkType.ONSITE,
        billable=False,
        notes=" replaced toner ",
        now=LATER,
    )
    assert (entry.client, entry.notes, entry.billable) == (desk.world.acme, "replaced toner", False)
    event = ticket.events.get(kind=EventKind.TIME)
    assert (event.public, event.at, event.to_value) == (False, LATER, "30")
    assert event.data["action"] == "logged"
    assert event.data["seconds"] == 1800


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("duration_seconds", {"duration_seconds": 59}),
        ("duration_seconds", {"duration_seconds": 24 * 3600 + 1}),
        ("started_at", {"started_at": LATER + timedelta(seconds=1)}),
        ("work_type", {"work_type": "napping"}),
    ],
)
def test_bad_entries_name_the_field_and_write_nothing(
    desk: Desk, field: str, kwargs: dict[str, object]
) -> None:
    ticket = desk.ticket()
    values: dict[str, object] = {"started_at": MONDAY_10, "duration_seconds": 600} | kwargs
    with pytest.raises(ValidationError) as caught:
        work.log_time(ticket, desk.world.bob, now=LATER, **values)  # type: ignore[arg-type]
    assert field in caught.value.message_dict
    assert not TimeEntry.objects.exists()
    assert time_events(ticket) == []


def test_only_staff_of_the_client_log_time(desk: Desk) -> None:
    ticket = desk.ticket()
    for user in (desk.world.eve, desk.world.carol, desk.world.ivan):
        with pytest.raises(ValidationError) as caught:
            work.log_time(ticket, user, started_at=MONDAY_10, duration_seconds=600, now=LATER)
        assert "technician" in caught.value.message_dict


def test_technicians_change_their_own_entries_and_managers_any(desk: Desk) -> None:
    ticket = desk.ticket()
    entry = work.log_time(
        ticket, desk.world.alice, started_at=MONDAY_10, duration_seconds=600, now=LATER
    )
    with pytest.raises(PermissionDenied):
        work.update_time_entry(entry, {"billable": False}, by=desk.world.bob, now=LATER)
    with pytest.raises(PermissionDenied):
        work.delete_time_entry(entry, by=desk.world.bob, now=LATER)
    own = work.log_time(
        ticket, desk.world.bob, started_at=MONDAY_10, duration_seconds=600, now=LATER
    )
    work.update_time_entry(own, {"duration_seconds": 900}, by=desk.world.bob, now=LATER)
    work.delete_time_entry(entry, by=desk.world.alice, now=LATER)
    own.refresh_from_db()
    assert own.duration_seconds == 900
    assert list(TimeEntry.objects.all()) == [own]
    assert [d["action"] for d in time_events(ticket)] == ["logged", "logged", "updated", "deleted"]


def test_timer_rounds_up_to_whole_minutes_at_the_boundary(desk: Desk) -> None:
    ticket = desk.ticket()
    work.start_timer(desk.world.bob, ticket, now=MONDAY_10)
    entry = work.stop_timer(desk.world.bob, now=MONDAY_10 + timedelta(minutes=5, seconds=1))
    assert (entry.started_at, entry.duration_seconds) == (MONDAY_10, 6 * 60)
    work.start_timer(desk.world.bob, ticket, now=LATER)
    exact = work.stop_timer(desk.world.bob, now=LATER + timedelta(minutes=5))
    assert exact.duration_seconds == 5 * 60
    work.start_timer(desk.world.bob, ticket, now=LATER)
    assert work.stop_timer(desk.world.bob, now=LATER).duration_seconds == 60  # at least 1 min
    assert not Timer.objects.exists()
    actions = [d["action"] for d in time_events(ticket)]
    assert actions == ["timer_started", "logged"] * 3


def test_starting_a_second_timer_stops_the_first_into_an_entry(desk: Desk) -> None:
    first, second = desk.ticket(), desk.ticket(subject="Scanner jam")
    work.start_timer(desk.world.bob, first, now=MONDAY_10)
    again = work.start_timer(desk.world.bob, first, now=MONDAY_10 + timedelta(minutes=1))
    assert again.started_at == MONDAY_10  # same ticket: keeps running
    work.start_timer(desk.world.bob, second, now=MONDAY_10 + timedelta(minutes=20))
    (entry,) = TimeEntry.objects.all()
    assert (entry.ticket, entry.duration_seconds) == (first, 20 * 60)
    timer = Timer.objects.get()
    assert (timer.ticket, timer.started_at) == (second, MONDAY_10 + timedelta(minutes=20))


def test_a_forgotten_timer_is_capped_at_a_day(desk: Desk) -> None:
    work.start_timer(desk.world.bob, desk.ticket(), now=MONDAY_10)
    entry = work.stop_timer(desk.world.bob, now=MONDAY_10 + timedelta(days=3))
    assert entry.duration_seconds == 24 * 3600
    assert "capped at 24 h" in entry.notes


def test_stopping_without_a_timer_is_refused(desk: Desk) -> None:
    with pytest.raises(ValidationError) as caught:
        work.stop_timer(desk.world.bob, now=MONDAY_10)
    assert "timer" in caught.value.message_dict


# --- API ----------------------------------------------------------------------------------------


def test_api_logs_lists_patches_and_deletes_time(desk: Desk) -> None:
    ticket = desk.ticket()
    api = desk.world.bearer(desk.world.bob)
    url = f"/api/v1/tickets/{ticket.pk}/time"
    with time_machine.travel(LATER, tick=False):
        bad = api.post(
            url,
            {"started_at": "2026-03-02T09:00:00", "duration_seconds": 600},
            content_type="application/json",
        )
        assert bad.status_code == 422  # naive datetime
        created = api.post(
            url,
            {"started_at": "2026-03-02T09:00:00Z", "duration_seconds": 600, "billable": False},
            content_type="application/json",
        )
        assert created.status_code == 201, created.content
        entry_id = created.json()["id"]
        assert created.json()["technician"] == "bob"
        patched = api.patch(
            f"/api/v1/time/{entry_id}", {"notes": "driver update"}, content_type="application/json"
        )
        assert patched.json()["notes"] == "driver update"
        listed = api.get(f"/api/v1/time?technician_id={desk.world.bob.pk}&since=2026-03-02T00:00Z")
        assert [e["id"] for e in listed.json()["items"]] == [entry_id]
        assert api.get("/api/v1/time?until=2026-03-02T09:00Z").json()["items"] == []
        assert api.get(url).json()["count"] == 1
        assert api.delete(f"/api/v1/time/{entry_id}").status_code == 204
    assert not TimeEntry.objects.exists()


def test_api_timer_start_stop_and_state(desk: Desk) -> None:
    ticket = desk.ticket()
    api = desk.world.bearer(desk.world.bob)
    with time_machine.travel(MONDAY_10, tick=False):
        assert api.get("/api/v1/timer").json() == {
            "running": False,
            "ticket_id": None,
            "started_at": None,
            "elapsed_seconds": 0,
        }
        assert api.post("/api/v1/timer/stop").status_code == 409
        started = api.post(
            "/api/v1/timer/start", {"ticket_id": ticket.pk}, content_type="application/json"
        )
        assert started.json()["running"] is True
    with time_machine.travel(MONDAY_10 + timedelta(seconds=90), tick=False):
        assert api.get("/api/v1/timer").json()["elapsed_seconds"] == 90
        stopped = api.post("/api/v1/timer/stop")
    assert stopped.status_code == 200
    assert stopped.json()["duration_seconds"] == 120


def test_contacts_never_see_time_and_other_tenants_get_404(desk: Desk) -> None:
    ticket = desk.ticket()
    entry = work.log_time(
        ticket, desk.world.bob, started_at=MONDAY_10, duration_seconds=600, now=LATER
    )
    carol = desk.world.bearer(desk.world.carol)
    assert carol.get(f"/api/v1/tickets/{ticket.pk}/time").status_code == 403
    assert carol.get("/api/v1/time").status_code == 403
    dave = desk.world.bearer(desk.world.dave)
    assert dave.get(f"/api/v1/tickets/{ticket.pk}/time").status_code == 404
    assert dave.delete(f"/api/v1/time/{entry.pk}").status_code == 404
    assert carol.delete(f"/api/v1/time/{entry.pk}").status_code == 403
    eve = desk.world.bearer(desk.world.eve)
    assert eve.get(f"/api/v1/tickets/{ticket.pk}/time").status_code == 404
    assert (
        eve.patch(
            f"/api/v1/time/{entry.pk}", {"billable": False}, content_type="application/json"
        ).status_code
        == 404
    )
    assert eve.delete(f"/api/v1/time/{entry.pk}").status_code == 404
    assert eve.get("/api/v1/time").json()["items"] == []
    assert (
        eve.post(
            "/api/v1/timer/start", {"ticket_id": ticket.pk}, content_type="application/json"
        ).status_code
        == 404
    )
    assert TimeEntry.objects.get().billable is True


def test_technician_cannot_log_for_someone_else_but_a_manager_can(desk: Desk) -> None:
    ticket = desk.ticket()
    body = {"started_at": "2026-03-02T09:00:00Z", "duration_seconds": 600}
    url = f"/api/v1/tickets/{ticket.pk}/time"
    with time_machine.travel(LATER, tick=False):
        bob = desk.world.bearer(desk.world.bob)
        refused = bob.post(
            url, body | {"technician_id": desk.world.alice.pk}, content_type="application/json"
        )
        assert refused.status_code == 403
        alice = desk.world.bearer(desk.world.alice)
        done = alice.post(
            url, body | {"technician_id": desk.world.bob.pk}, content_type="application/json"
        )
    assert done.status_code == 201
    assert TimeEntry.objects.get().technician == desk.world.bob


# --- UI -----------------------------------------------------------------------------------------


def test_time_panel_partial_timer_and_add_form(desk: Desk) -> None:
    ticket = desk.ticket()
    web = desk.world.http(desk.world.bob)
    panel_url = reverse("servicedesk:time_panel", args=[ticket.pk])
    with time_machine.travel(MONDAY_10, tick=False):
        page = web.get(panel_url)
        assert page.status_code == 200
        assert b'id="time-panel"' in page.content
        assert b"Start timer" in page.content
        started = web.post(
            reverse("servicedesk:timer_start", args=[ticket.pk]), HTTP_HX_REQUEST="true"
        )
        assert b"data-timer-started=" in started.content
        assert b"Stop timer" in started.content
    with time_machine.travel(MONDAY_10 + timedelta(minutes=3), tick=False):
        stopped = web.post(reverse("servicedesk:timer_stop"), HTTP_HX_REQUEST="true")
        assert b"3 min logged" in stopped.content
        added = web.post(
            reverse("servicedesk:time_add", args=[ticket.pk]),
            {
                "started_at": "2026-03-02T10:00",
                "minutes": "15",
                "work_type": "remote",
                "billable": "on",
                "notes": "called the user",
            },
            HTTP_HX_REQUEST="true",
        )
    assert b"18 min logged" in added.content
    manual = TimeEntry.objects.get(notes="called the user")
    assert manual.started_at == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # Berlin wall time


def test_time_panel_refuses_contacts_and_shows_form_errors(desk: Desk) -> None:
    ticket = desk.ticket()
    url = reverse("servicedesk:time_panel", args=[ticket.pk])
    assert desk.world.http(desk.world.carol).get(url).status_code == 403
    assert desk.world.http(desk.world.eve).get(url).status_code == 404
    assert desk.world.http(desk.world.dave).get(url).status_code == 404
    with time_machine.travel(MONDAY_10, tick=False):
        response = desk.world.http(desk.world.bob).post(
            reverse("servicedesk:time_add", args=[ticket.pk]),
            {"started_at": "2026-03-03T10:00", "minutes": "15", "work_type": "remote"},
            HTTP_HX_REQUEST="true",
        )
    assert b"the work cannot start in the future" in response.content
    assert not TimeEntry.objects.exists()


def test_my_time_shows_the_weeks_entries_and_totals(desk: Desk) -> None:
    ticket = desk.ticket()
    for day, billable in ((0, True), (1, False), (7, True)):
        work.log_time(
            ticket,
            desk.world.bob,
            started_at=MONDAY_10 + timedelta(days=day),
            duration_seconds=3600,
            billable=billable,
            now=MONDAY_10 + timedelta(days=8),
        )
    page = desk.world.http(desk.world.bob).get(reverse("servicedesk:my_time") + "?week=2026-03-04")
    assert page.status_code == 200
    assert page.context["billable_minutes"] == 60
    assert page.context["non_billable_minutes"] == 60
    assert len(page.context["entries"]) == 2
    assert desk.world.http(desk.world.carol).get(reverse("servicedesk:my_time")).status_code == 403


def test_a_dispatcher_is_a_technician_not_a_manager(world: object) -> None:
    user = tenancy.create_user(username="dina", role=Role.DISPATCHER, password=PASSWORD)
    assert work.may_log_time(user)
    assert not work.is_manager(user)


def test_listing_time_costs_the_same_few_queries_for_many_entries(
    desk: Desk, django_assert_max_num_queries: Any
) -> None:
    ticket = desk.ticket()
    for minutes in range(1, 6):
        work.log_time(
            ticket, desk.world.bob, started_at=MONDAY_10, duration_seconds=60 * minutes, now=LATER
        )
    api = desk.world.bearer(desk.world.bob)
    with django_assert_max_num_queries(8):
        assert api.get("/api/v1/time").json()["count"] == 5
    with django_assert_max_num_queries(9):
        assert api.get(f"/api/v1/tickets/{ticket.pk}/time").json()["count"] == 5
