"""Several workers sending due deliveries at once: each delivery is claimed by one, so each
message leaves once. Real threads and connections (PostgreSQL, or an SQLite file)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from steward.notify import config, services
from steward.notify.choices import DeliveryStatus
from steward.notify.events import Notice, NoticeKind
from steward.notify.models import Delivery, Policy
from steward.notify.sending import LEASE, claim
from steward.tenancy.services import create_client
from tests.conftest import World
from tests.notify.conftest import Receiver
from tests.notify.helpers import MONDAY_10, notice


@pytest.mark.django_db
def test_a_claim_is_taken_once_and_expires_after_the_lease(world: World) -> None:
    found = services.publish(notice(world.acme, NoticeKind.REPORT_READY,
                                    contact_ids=(world.acme_contact.pk,)))  # fmt: skip
    assert found is not None
    row = found.deliveries.get()
    due = row.next_attempt_at
    assert due is not None
    assert claim(row.pk, due, MONDAY_10)
    assert not claim(row.pk, due, MONDAY_10)  # a second worker read the same row: refused
    # The first worker died: after the lease the row is due again, and claimable once.
    with time_machine.travel(MONDAY_10 + LEASE, tick=False):
        assert Delivery.objects.filter(next_attempt_at__lte=MONDAY_10 + LEASE).count() == 1
    assert claim(row.pk, MONDAY_10 + LEASE, MONDAY_10 + LEASE)


@pytest.mark.django_db(transaction=True)
def test_racing_workers_send_each_message_once(receiver: Receiver) -> None:
    if connection.vendor == "sqlite" and getattr(connection, "is_in_memory_db", bool)():
        pytest.skip("needs PostgreSQL or an SQLite file: the in-memory test database cannot wait")
    receiver.start()
    client = create_client(name="Race Client", code="race", timezone="UTC")
    channels = [config.create_channel(client, f"hook {n}", f"{receiver.url}{n}") for n in range(6)]
    config.save_policy(Policy(client=client), {"name": "race", "kinds": ["outage_detected"],
                       "staff": [], "contacts": "none"}, channels=channels)  # fmt: skip
    for n in range(5):
        services.publish(Notice(kind=NoticeKind.OUTAGE_DETECTED, client_id=client.pk,
                                at=MONDAY_10, key=f"race:{n}", subject=f"outage {n}"))  # fmt: skip
    start = threading.Barrier(3)
    now = timezone.now() + timedelta(minutes=1)  # every delivery is due

    def work() -> None:
        start.wait()
        try:
            services.deliver_due(now)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 30
    assert len(receiver.bodies) == 30  # not one twice
