"""The same batch sent twice at the same moment (a retry racing its original) is stored once:
the batch record and the writes commit together. Real threads, real connections."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from steward.monitoring.models import IngestBatch, Sample, Series
from steward.monitoring.services import create_collector
from steward.tenancy.services import create_client
from tests.monitoring.helpers import batch, post


@pytest.mark.django_db(transaction=True)
def test_a_batch_racing_its_retry_is_stored_once() -> None:
    if connection.vendor == "sqlite" and getattr(connection, "is_in_memory_db", bool)():
        # The test database is then in memory with shared-cache table locks, which fail at
        # once instead of waiting; an installation's SQLite file (WAL) makes the second
        # writer wait for the first (IMMEDIATE transactions), as PostgreSQL's unique index does.
        pytest.skip("needs PostgreSQL or an SQLite file: the in-memory test database cannot wait")
    client = create_client(name="Race Client", code="race")
    _collector, token = create_collector(client, kind="collector", name="racer")
    assets = [{"key": "m", "hostname": "h"}]
    payload = batch(
        assets=assets,
        series=[{"metric": "up", "asset": "m", "labels": {"n": str(n)}, "points": [[1, n]]}
                for n in range(200)],
    )  # fmt: skip
    answers: list[dict[str, Any]] = []
    start = threading.Barrier(2)

    def send() -> None:
        start.wait()
        try:
            response = post(token, payload)
            assert response.status_code == 200, response.content
            answers.append(response.json())
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(a["duplicate"] for a in answers) == [False, True]
    assert all(a["accepted"]["samples"] == 200 for a in answers)
    assert IngestBatch.objects.count() == 1
    assert Series.objects.count() == 200
    assert Sample.objects.count() == 200
