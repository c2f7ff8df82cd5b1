"""Two workers running the alert job at the same instant, on real threads with their own
connections: the client's span is claimed once, so one ticket and one firing event."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from steward.monitoring import services
from steward.monitoring.models import AlertEvent
from steward.monitoring.services.alerting import evaluate_alerts
from steward.servicedesk.models import Ticket
from steward.tenancy.services import create_client
from tests.monitoring.alerting.conftest import T0, add_series, at, put, run_job


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_the_same_instant_act_once() -> None:
    if connection.vendor == "sqlite" and getattr(connection, "is_in_memory_db", bool)():
        pytest.skip("needs PostgreSQL or an SQLite file: the in-memory test database cannot wait")
    client = create_client(name="Race Client", code="race")
    server = services.create_asset(client, name="race-01", kind="server")
    run_job(T0)
    series = add_series(server, "cpu_usage_percent")
    for minute in range(1, 12):
        put(series, at(minute), 99)
    start = threading.Barrier(2)
    failures: list[BaseException] = []

    def work() -> None:
        start.wait()
        try:
            evaluate_alerts(at(11))  # what the task runs; time_machine is process-wide
        except BaseException as error:  # surfaced below: a thread's exception is otherwise lost
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    assert Ticket.objects.filter(client=client).count() == 1
    assert AlertEvent.objects.filter(kind="firing").count() == 1
