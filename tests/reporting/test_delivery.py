"""Schedules and delivery over a real SMTP server on loopback (aiosmtpd): the slot's report
goes to the chosen contacts once, a down server is recorded and retried, and a slot is
claimed by one worker only."""

from __future__ import annotations

import hashlib
import threading
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from steward.notify.models import Notification
from steward.reporting.choices import DeliveryStatus, Paper, Trigger
from steward.reporting.models import ReportDelivery, ReportSchedule, StoredReport
from steward.reporting.services.delivery import (
    BACKOFF,
    ScheduleSpec,
    run_due_schedules,
    save_schedule,
    send_due,
    send_now,
)
from steward.reporting.services.store import generate
from steward.tenancy import services as tenancy
from tests.reporting.conftest import Month
from tests.servicedesk.smtp import Sink, free_port

# Acme's schedule: 3rd business day at 08:00 Berlin. November 2026: Wed 4th, 07:00 UTC.
SLOT = datetime(2026, 11, 4, 7, 0, tzinfo=UTC)
DUE = datetime(2026, 11, 4, 23, 0, tzinfo=UTC)  # the end of that business day
NEXT_SLOT = datetime(2026, 12, 3, 7, 0, tzinfo=UTC)


def schedule(month: Month, **fields: Any) -> ReportSchedule:
    world = month.world
    second = tenancy.create_contact(
        world.acme, first_name="Erin", last_name="Acmeson", email="erin@acme.example"
    )
    spec = ScheduleSpec(
        business_day=3,
        send_time=time(8, 0),
        contacts=[world.acme_contact, second],
        paper=fields.pop("paper", Paper.A4),
    )
    return save_schedule(world.acme, spec, now=datetime(2026, 11, 2, tzinfo=UTC))


def test_saving_a_schedule_sets_its_next_slot(month: Month) -> None:
    saved = schedule(month)
    assert saved.next_run_at == SLOT
    assert {c.email for c in saved.contacts.all()} == {"carol@acme.example", "erin@acme.example"}


def test_a_contact_of_another_client_is_refused(month: Month) -> None:
    spec = ScheduleSpec(3, time(8), contacts=[month.world.globex_contact])
    with pytest.raises(ValidationError) as caught:
        save_schedule(month.world.acme, spec)
    assert "contacts" in caught.value.message_dict
    assert not ReportSchedule.objects.exists()


def test_a_slot_sends_last_months_report_to_the_chosen_contacts(month: Month, sink: Sink) -> None:
    schedule(month)
    assert run_due_schedules(SLOT - timedelta(seconds=1)) == []  # one second early: nothing
    [stored] = run_due_schedules(SLOT)
    assert (stored.period, stored.version, stored.trigger) == ("2026-10", 1, Trigger.SCHEDULE)
    assert send_due(SLOT) == 2
    delivered = sink.delivered()
    assert sorted(rcpt for rcpts, _ in delivered for rcpt in rcpts) == [
        "carol@acme.example",
        "erin@acme.example",
    ]
    message = delivered[0][1]
    assert "service report October 2026 for Acme Corporation" in str(message["Subject"])
    assert "attached is the service report of Acme Corporation for October 2026" in (
        message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    )
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "service-report-2026-10-v1.pdf"
    assert attachment.get_content_type() == "application/pdf"
    pdf = attachment.get_content()
    assert pdf.startswith(b"%PDF")
    assert hashlib.sha256(pdf).hexdigest() == stored.sha256
    rows = list(ReportDelivery.objects.order_by("email"))
    assert [(d.status, d.sent_at, d.due_at, d.on_time) for d in rows] == [
        (DeliveryStatus.SENT, SLOT, DUE, True)
    ] * 2
    assert ReportSchedule.objects.get().next_run_at == NEXT_SLOT
    notice = Notification.objects.get(key=f"report_ready:{month.world.acme.pk}:2026-10:v1")
    assert notice.kind == "report_ready"


def test_two_workers_on_one_slot_send_once(month: Month, sink: Sink) -> None:
    schedule(month)
    stale = ReportSchedule.objects.get()  # what a second worker read before the first claimed
    assert len(run_due_schedules(SLOT)) == 1
    assert run_due_schedules(SLOT) == []
    # The second worker's claim on the slot it read fails: the column moved on.
    assert (
        ReportSchedule.objects.filter(pk=stale.pk, next_run_at=stale.next_run_at).update(
            next_run_at=NEXT_SLOT
        )
        == 0
    )
    send_due(SLOT)
    send_due(SLOT)
    assert StoredReport.objects.count() == 1
    assert len(sink.messages) == 2  # one per contact, not per worker


def test_a_down_server_is_recorded_and_retried_on_a_later_run(
    month: Month, settings: Any, sink: Sink
) -> None:
    schedule(month)
    live_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()  # nothing listens there: connection refused
    run_due_schedules(SLOT)
    assert send_due(SLOT) == 0
    failed = list(ReportDelivery.objects.all())
    assert {d.status for d in failed} == {DeliveryStatus.FAILED}
    assert all("Connection refused" in d.last_error or "Errno" in d.last_error for d in failed)
    assert {(d.attempts, d.next_attempt_at) for d in failed} == {(1, SLOT + BACKOFF[0])}
    assert StoredReport.objects.count() == 1  # the report is kept for the retry
    settings.EMAIL_PORT = live_port
    assert send_due(SLOT + BACKOFF[0] - timedelta(seconds=1)) == 0  # not yet
    assert sink.messages == []
    assert send_due(SLOT + BACKOFF[0]) == 2
    sent = list(ReportDelivery.objects.all())
    assert {(d.status, d.attempts, d.last_error, d.on_time) for d in sent} == {
        (DeliveryStatus.SENT, 2, "", True)
    }
    assert send_due(SLOT + timedelta(days=1)) == 0
    assert len(sink.messages) == 2


def test_a_retry_after_the_deadline_is_late(month: Month, settings: Any, sink: Sink) -> None:
    schedule(month)
    live_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()
    run_due_schedules(SLOT)
    send_due(SLOT)
    settings.EMAIL_PORT = live_port
    send_due(DUE + timedelta(seconds=1))
    assert {(d.status, d.on_time) for d in ReportDelivery.objects.all()} == {
        (DeliveryStatus.SENT, False)
    }


def test_send_now_mails_a_stored_version(month: Month, sink: Sink) -> None:
    schedule(month)
    now = datetime(2026, 11, 10, 9, tzinfo=UTC)
    stored = generate(month.world.acme, "2026-10", paper=Paper.LETTER, now=now)
    [delivery] = send_now(stored, [month.world.acme_contact], by=month.world.alice, now=now)
    assert (delivery.status, delivery.trigger, delivery.on_time) == (
        DeliveryStatus.SENT,
        Trigger.MANUAL,
        False,  # the schedule's deadline for October was 4 November
    )
    [message] = sink.messages
    assert message["To"] == "carol@acme.example"
    with pytest.raises(ValidationError):
        send_now(stored, [], by=month.world.alice, now=now)


def test_versions_count_up_per_client_and_month(month: Month) -> None:
    now = datetime(2026, 11, 10, 9, tzinfo=UTC)
    first = generate(month.world.acme, "2026-10", now=now)
    second = generate(month.world.acme, "2026-10", now=now)
    other = generate(month.world.acme, "2026-09", now=now)
    assert (first.version, second.version, other.version) == (1, 2, 1)
    assert bytes(second.pdf).startswith(b"%PDF")
    assert second.size == len(bytes(second.pdf))


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent workers need PostgreSQL")
def test_concurrent_workers_claim_a_slot_once(month: Month, sink: Sink) -> None:
    schedule(month)
    results: list[int] = []
    barrier = threading.Barrier(2)

    def worker() -> None:
        try:
            barrier.wait()
            results.append(len(run_due_schedules(SLOT)))
            send_due(SLOT)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [0, 1]
    assert StoredReport.objects.count() == 1
    assert len(sink.messages) == 2
