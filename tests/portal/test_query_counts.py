"""The portal's list pages read a page of rows in a fixed number of queries, however many
rows there are (STYLE.md §16)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from steward.monitoring import services as monitoring
from steward.portal import services
from steward.portal.choices import ApprovalKind
from steward.servicedesk import services as desk
from tests.conftest import World
from tests.monitoring.builders import acme_asset


def _grow(world: World, n: int) -> None:
    for i in range(n):
        ticket = desk.open_ticket(world.acme, subject=f"Ticket {i}", requester=world.acme_contact,
                                  by=world.bob)  # fmt: skip
        services.request_approval(ticket, kind=ApprovalKind.CHANGE, question=f"Change {i}",
                                  by=world.bob)  # fmt: skip
        monitoring.create_asset(world.acme, name=f"Device {i}")


def _queries(world: World, url: str) -> int:
    http = world.http(world.carol)
    http.get(url)  # warm the session and caches
    with CaptureQueriesContext(connection) as captured:
        assert http.get(url).status_code == 200
    return len(captured)


def test_list_pages_do_not_grow_with_their_rows(world: World) -> None:
    acme_asset(world)
    _grow(world, 2)
    urls = ("/portal/", "/portal/tickets/", "/portal/approvals/", "/portal/assets/")
    few = {url: _queries(world, url) for url in urls}
    _grow(world, 12)
    many = {url: _queries(world, url) for url in urls}
    assert many == few
