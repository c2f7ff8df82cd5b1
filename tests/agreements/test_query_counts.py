"""List endpoints and pages do not issue a query per row (STYLE.md §16)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from steward.agreements import services
from tests.agreements.conftest import make_agreement
from tests.conftest import World


def _grow(world: World, start: int, count: int) -> None:
    for n in range(start, start + count):
        agreement = make_agreement(world, reference=f"MSA-{n}")
        services.create_sow(agreement, title=f"SOW {n}", start_date=date(2025, 1, 1))
        services.create_license(
            world.acme, vendor="V", product=f"P{n}", start_date=date(2025, 1, 1),
            end_date=date(2025, 12, 31), agreement=agreement,
        )  # fmt: skip
    services.raise_reminders(datetime(2025, 9, 1, 10, tzinfo=UTC))


def _queries(world: World, url: str) -> int:
    http = world.http(world.alice)
    with CaptureQueriesContext(connection) as captured:
        assert http.get(url).status_code == 200
    return len(captured)


def test_lists_cost_the_same_for_two_rows_or_six(world: World) -> None:
    urls = ["/api/v1/agreements", "/api/v1/licenses", "/api/v1/reminders", "/agreements/",
            "/licenses/", "/reminders/"]  # fmt: skip
    _grow(world, 0, 2)
    small = {url: _queries(world, url) for url in urls}
    _grow(world, 2, 4)
    large = {url: _queries(world, url) for url in urls}
    assert large == small
