"""The API's ticket page through SQL compiled once per shape (``newest_page``) returns what the
ORM's path (``newest_first``) returns, for every filter shape, caller and later values."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from steward.api import rows
from steward.api.rows import compiled_sql
from steward.servicedesk import services
from steward.servicedesk.choices import Impact, Status, Urgency
from steward.servicedesk.models import Ticket
from steward.servicedesk.queries import newest_first, newest_page
from tests.servicedesk.conftest import MONDAY_10, Desk

SHAPES: list[dict[str, Any]] = [
    {},
    {"status": ["resolved"]},
    {"status": ["resolved", "assigned"]},
    {"priority": ["P1"]},
    {"status": ["new"], "priority": ["P3", "P4"]},
    {"kind": "change"},
    {"open": True},
    {"open": False},
    {"breached": True},
    {"unassigned": True, "open": True},
    {"mine": True},
    {"q": "printer"},  # not compiled: takes the ORM's path
]


@pytest.fixture
def tickets(desk: Desk) -> Desk:
    world = desk.world
    for n in range(6):
        ticket = desk.ticket(
            at=MONDAY_10 + timedelta(hours=n),
            subject=f"Printer {n}" if n % 2 else f"Mail {n}",
            kind="change" if n % 3 == 0 else "incident",
            impact=Impact.HIGH if n % 2 else Impact.LOW,
            urgency=Urgency.HIGH,
            client=world.globex if n == 5 else world.acme,
            **({"requester": world.globex_contact} if n == 5 else {}),
        )
        if n % 2 == 0:
            services.assign(ticket, world.bob, by=world.alice)
        if n == 4:
            services.change_status(
                ticket, Status.RESOLVED, by=world.bob, at=MONDAY_10 + timedelta(days=1)
            )
    return desk


@pytest.mark.parametrize("shape", SHAPES)
def test_compiled_page_matches_the_orm(tickets: Desk, shape: dict[str, Any]) -> None:
    world = tickets.world
    now = timezone.now()
    for user, client in itertools.product(
        (world.alice, world.bob, world.dave), (None, world.acme.pk, world.globex.pk)
    ):
        f = {**shape, **({"client_id": client} if client else {})}
        expected, count = newest_first(Ticket.objects.visible_to(user), f, user, now)
        for offset, limit in ((0, 50), (1, 2)):
            # twice: the first call compiles, the second reuses the compiled SQL
            for _ in range(2):
                assert newest_page(user, f, now, offset, limit) == (
                    list(expected.values_list("pk", flat=True)[offset : offset + limit]),
                    count,
                )


def test_compiled_sql_substitutes_values_and_refuses_transformed_ones(desk: Desk) -> None:
    rows._compiled.clear()

    def by_client(v: Any) -> Any:
        return Ticket.objects.filter(client_id=v["client"], status__in=v["status"])

    first = compiled_sql("t", by_client, {"client": 1, "status": ["new", "assigned"]})
    second = compiled_sql("t", by_client, {"client": 7, "status": ["closed", "resolved"]})
    assert first[0] == second[0]
    assert second[1] == [7, "closed", "resolved"]
    # icontains wraps its value in %…%: no marker to find, so nothing is cached for it
    _sql, params = compiled_sql("q", lambda v: Ticket.objects.filter(subject__icontains=v["q"]),
                               {"q": "Printer"})  # fmt: skip
    assert "q" not in rows._compiled
    assert params == ["%Printer%"]


def test_the_count_sorts_nothing(tickets: Desk) -> None:
    # A sort inside the counted subquery made PostgreSQL order every ticket just to count them.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        newest_page(tickets.world.alice, {}, timezone.now(), 0, 50)
    counts = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("SELECT COUNT(*)")]
    assert len(counts) == 1
    assert "ORDER BY" not in counts[0]
