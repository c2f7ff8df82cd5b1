"""The dispatch board: its three columns, filters, the htmx partial, reassigning, the load
summary, and who may see what."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from steward.servicedesk import services
from steward.servicedesk.choices import EventKind, Impact, Urgency
from steward.servicedesk.escalation import process_deadlines
from steward.servicedesk.models import Queue, TechnicianProfile, Ticket
from tests.servicedesk.conftest import MONDAY_10, Desk

# Monday 13:30 UTC (14:30 Berlin): the P3 opened at 09:00 UTC breached its response at 13:00;
# the one opened at 10:00 UTC passed its warning (13:00) and breaches at 14:00.
BOARD_TIME = datetime(2026, 3, 2, 13, 30, tzinfo=UTC)
BOARD = reverse("servicedesk:dispatch")
PARTIAL = reverse("servicedesk:dispatch_board")


@dataclass
class Board:
    desk: Desk
    breached: Ticket
    at_risk: Ticket
    fresh: Ticket
    globex: Ticket

    def get(self, user: Any, url: str = BOARD, **params: Any) -> Any:
        with time_machine.travel(BOARD_TIME, tick=False):
            return self.desk.world.http(user).get(url, params)


def p3(desk: Desk, at: datetime, subject: str, **fields: Any) -> Ticket:
    with time_machine.travel(at, tick=False):
        return desk.ticket(
            at=at, subject=subject, impact=Impact.MEDIUM, urgency=Urgency.MEDIUM, **fields
        )


@pytest.fixture
def board(desk: Desk) -> Board:
    world = desk.world
    TechnicianProfile.objects.create(user=world.bob, capacity=10, auto_assign=False)
    breached = p3(desk, MONDAY_10, "Mail server down")
    at_risk = p3(desk, MONDAY_10 + timedelta(hours=1), "VPN flaky")
    with time_machine.travel(MONDAY_10 + timedelta(hours=1), tick=False):
        services.assign(breached, world.bob, by=world.alice)
        services.assign(at_risk, world.bob, by=world.alice)
    # The job's run a second after the due: the stored columns read as breached from then.
    job_run = datetime(2026, 3, 2, 13, 0, 1, tzinfo=UTC)
    with time_machine.travel(job_run, tick=False):
        process_deadlines(job_run)
    with time_machine.travel(BOARD_TIME - timedelta(minutes=10), tick=False):
        fresh = desk.ticket(subject="New starter laptop")
        globex = desk.ticket(client=world.globex, requester=None, subject="Globex badge reader")
    return Board(desk, breached, at_risk, fresh, globex)


def column(html: str, key: str) -> str:
    match = re.search(rf'id="dispatch-{key}".*?</section>', html, re.S)
    assert match is not None, f"no column {key}"
    return match.group(0)


def test_the_three_columns(board: Board) -> None:
    response = board.get(board.desk.world.alice)
    assert response.status_code == 200
    html = response.content.decode()
    unassigned = column(html, "unassigned")
    assert "New starter laptop" in unassigned
    assert "Globex badge reader" in unassigned
    assert "Mail server down" not in unassigned
    risk = column(html, "at-risk")
    assert "VPN flaky" in risk
    assert "Mail server down" not in risk
    assert "New starter laptop" not in risk
    breached = column(html, "breached")
    assert "Mail server down" in breached
    assert "VPN flaky" not in breached
    # A card: client, priority, subject, due time, assignee, a reassign form.
    card = re.search(
        rf'<article class="card" aria-label="Ticket #{board.at_risk.pk}".*?</article>', risk, re.S
    )
    assert card is not None
    text = card.group(0)
    assert "Acme Corporation" in text
    assert "P3" in text
    assert 'datetime="2026-03-02T14:00:00+00:00"' in text  # response due
    assert "bob" in text
    assert reverse("servicedesk:dispatch_assign", args=[board.at_risk.pk]) in text


def test_load_summary(board: Board) -> None:
    html = board.get(board.desk.world.alice).content.decode()
    load = column(html, "load")
    # bob: two open P3 tickets (2 + 2) of a capacity of 10.
    row = re.search(r"<th scope=\"row\">bob</th>(.*?)</tr>", load, re.S)
    assert row is not None
    cells = re.findall(r"<td>(.*?)</td>", row.group(1), re.S)
    assert cells[:3] == ["2", "4", "10"]
    assert "40 %" in cells[3]


def test_filters_by_client_and_queue(board: Board) -> None:
    world = board.desk.world
    html = board.get(world.alice, client=world.globex.pk).content.decode()
    assert "Globex badge reader" in html
    assert "New starter laptop" not in html
    queue = Queue.objects.create(name="Onboarding")
    with time_machine.travel(BOARD_TIME, tick=False):
        services.update_ticket(board.fresh, {"queue": queue}, by=world.alice)
    html = board.get(world.alice, queue=queue.pk).content.decode()
    assert "New starter laptop" in html
    assert "Globex badge reader" not in html
    assert "VPN flaky" not in html


def test_a_bad_filter_is_named(board: Board) -> None:
    response = board.get(board.desk.world.alice, client="12345678")
    assert response.status_code == 400
    assert "Client: Select a valid choice" in response.content.decode()


def test_the_partial_polls_itself(board: Board) -> None:
    response = board.get(board.desk.world.alice, PARTIAL, client=board.desk.world.acme.pk)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert 'hx-trigger="every 30s"' in html
    assert f'hx-get="{PARTIAL}?client={board.desk.world.acme.pk}"' in html
    assert "VPN flaky" in html
    assert "Globex badge reader" not in html


def test_reassign(board: Board) -> None:
    world = board.desk.world
    url = reverse("servicedesk:dispatch_assign", args=[board.fresh.pk])
    http = world.http(world.alice)
    response = http.post(url, {"assignee": world.bob.pk, "client": world.acme.pk})
    assert response.status_code == 302
    assert response["Location"] == f"{BOARD}?client={world.acme.pk}"
    board.fresh.refresh_from_db()
    assert board.fresh.assignee == world.bob
    event = board.fresh.events.filter(kind=EventKind.ASSIGNED).last()
    assert event is not None
    assert (event.actor, event.to_value) == (world.alice, "bob")
    # Through htmx: the board comes back, with what happened.
    response = http.post(url, {"assignee": ""}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert f"#{board.fresh.pk} assigned to nobody" in response.content.decode()
    board.fresh.refresh_from_db()
    assert board.fresh.assignee is None


def test_reassign_to_someone_who_does_not_work_for_the_client(board: Board) -> None:
    world = board.desk.world
    url = reverse("servicedesk:dispatch_assign", args=[board.fresh.pk])
    response = world.http(world.alice).post(url, {"assignee": world.eve.pk}, follow=True)
    assert "eve does not work for this client" in response.content.decode()
    board.fresh.refresh_from_db()
    assert board.fresh.assignee is None


def test_contacts_get_403(board: Board) -> None:
    world = board.desk.world
    for url in (BOARD, PARTIAL):
        assert board.get(world.carol, url).status_code == 403
    url = reverse("servicedesk:dispatch_assign", args=[board.fresh.pk])
    assert world.http(world.carol).post(url, {"assignee": world.bob.pk}).status_code == 403
    board.fresh.refresh_from_db()
    assert board.fresh.assignee is None


def test_auditors_look_but_do_not_reassign(board: Board) -> None:
    world = board.desk.world
    html = board.get(world.ivan).content.decode()
    assert "VPN flaky" in html
    assert "dispatch/tickets/" not in html
    url = reverse("servicedesk:dispatch_assign", args=[board.fresh.pk])
    assert world.http(world.ivan).post(url, {"assignee": world.bob.pk}).status_code == 403


def test_another_tenant_sees_no_acme_card(board: Board) -> None:
    world = board.desk.world
    for url in (BOARD, PARTIAL):
        html = board.get(world.eve, url).content.decode()
        assert "Acme" not in html
        for subject in ("Mail server down", "VPN flaky", "New starter laptop", "Globex"):
            assert subject not in html
    url = reverse("servicedesk:dispatch_assign", args=[board.fresh.pk])
    assert world.http(world.eve).post(url, {"assignee": world.eve.pk}).status_code == 404
    # bob works for Acme only: Globex's ticket is not on his board.
    html = board.get(world.bob).content.decode()
    assert "VPN flaky" in html
    assert "Globex badge reader" not in html


def test_board_queries_do_not_grow_with_cards(
    board: Board, django_assert_max_num_queries: Any
) -> None:
    with time_machine.travel(BOARD_TIME - timedelta(minutes=5), tick=False):
        for n in range(8):
            board.desk.ticket(subject=f"Extra {n}")
    http = board.desk.world.http(board.desk.world.alice)
    with time_machine.travel(BOARD_TIME, tick=False), django_assert_max_num_queries(20):
        assert http.get(PARTIAL).status_code == 200
