"""After a bulk import on PostgreSQL the planner's statistics are refreshed (ANALYZE) and the
visibility map set (VACUUM), so the ticket list's plans and counts stay fast."""

from __future__ import annotations

import json

import pytest
from django.db import connection

from steward.servicedesk import importing
from tests.servicedesk.conftest import Desk
from tests.servicedesk.test_import import json_ticket

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="statistics of PostgreSQL"),
]


def _vacuums() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT vacuum_count + autovacuum_count FROM pg_stat_user_tables "
            "WHERE relname = 'servicedesk_ticket'"
        )
        return int(cursor.fetchone()[0])


def test_a_bulk_import_refreshes_statistics(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    before = _vacuums()
    small = [json_ticket(f"OLD-{n}") for n in range(2)]
    importing.import_tickets(json.dumps(small), fmt="json", user=desk.world.alice)
    assert _vacuums() == before  # under the bulk threshold: nothing to refresh
    monkeypatch.setattr(importing, "BULK", 2)
    bulk = [json_ticket(f"NEW-{n}") for n in range(2)]
    importing.import_tickets(json.dumps(bulk), fmt="json", user=desk.world.alice)
    assert _vacuums() == before + 1
