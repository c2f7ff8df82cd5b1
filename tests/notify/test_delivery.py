"""Publishing and delivering, end to end over real servers on loopback: mail over SMTP
(aiosmtpd), an apprise ``mailto://`` channel to the same SMTP server, an apprise ``json://``
channel to an HTTP receiver; a down channel retried with backoff until it comes up; quiet
hours; idempotence; a rolled-back publish sends nothing; a failure never reaches the caller."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

import pytest
import time_machine
from django.db import transaction

from steward.notify import config, services
from steward.notify.choices import DeliveryStatus
from steward.notify.events import NoticeKind
from steward.notify.models import Delivery, Notification
from steward.notify.services import publish
from steward.notify.tasks import send_due_deliveries
from steward.notify.timing import MAX_ATTEMPTS
from steward.tenancy import services as tenancy
from tests.conftest import World
from tests.notify.conftest import Receiver
from tests.notify.helpers import MONDAY_10, notice, only, policy
from tests.servicedesk.smtp import HOST, Sink

pytestmark = pytest.mark.django_db(transaction=False)


def deliver(at: Any = MONDAY_10) -> services.Sent:
    with time_machine.travel(at, tick=False):
        return services.deliver_due(at)


def test_mail_to_contacts_carries_subject_text_html_and_attachment(
    world: World, sink: Sink
) -> None:
    only([NoticeKind.REPORT_READY])
    pdf = b"%PDF-1.4 monthly report"
    with time_machine.travel(MONDAY_10, tick=False):
        found = publish(
            notice(
                world.acme,
                NoticeKind.REPORT_READY,
                subject="February report",
                contact_ids=(world.acme_contact.pk, world.globex_contact.pk),
                url="/reports/7/",
                attachments=(("feb.pdf", "application/pdf", pdf),),
            )
        )
    assert isinstance(found, Notification)
    # Globex's contact is not Acme's: never reached by an Acme notice.
    assert [d.address for d in found.deliveries.all()] == ["carol@acme.example"]
    assert deliver().sent == 1
    [(to, message)] = sink.delivered()
    assert to == ["carol@acme.example"]
    assert message["Subject"] == "February report"
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None
    assert html is not None
    assert (
        "February report for Acme Corporation is ready; it is attached (feb.pdf)."
        in text.get_content()
    )
    assert "http://127.0.0.1:8000/reports/7/" in text.get_content()
    assert "<h1" in html.get_content()
    assert "February report" in html.get_content()
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "feb.pdf"
    assert attachment.get_content() == pdf
    row = found.deliveries.get()
    assert row.status == DeliveryStatus.SENT
    assert row.attempts == 1
    assert row.sent_at == MONDAY_10
    assert row.next_attempt_at is None
    assert row.to_client


def test_apprise_mailto_channel_reaches_a_plain_loopback_smtp_server(
    world: World, sink: Sink
) -> None:
    only([NoticeKind.OUTAGE_DETECTED])
    url = f"mailto://{HOST}:{sink.port}?from=steward@msp.example&to=noc@acme.example&mode=insecure"
    channel = config.create_channel(world.acme, "Acme NOC mailbox", url)
    policy(world.acme, [NoticeKind.OUTAGE_DETECTED], channels=[channel])
    with time_machine.travel(MONDAY_10, tick=False):
        publish(notice(world.acme))
    assert deliver().sent == 1
    [(to, message)] = sink.delivered()
    assert to == ["noc@acme.example"]
    assert message["Subject"] == "[Outage] Mail server down (Acme Corporation)"
    body = message.get_body(preferencelist=("plain", "html"))
    assert body is not None
    assert "We detected a problem: Mail server down" in body.get_content()


def test_json_webhook_gets_the_notice(world: World, receiver: Receiver) -> None:
    only([NoticeKind.OUTAGE_DETECTED])
    receiver.start()
    channel = config.create_channel(None, "MSP webhook", receiver.url)
    policy(None, [NoticeKind.OUTAGE_DETECTED], channels=[channel])
    with time_machine.travel(MONDAY_10, tick=False):
        publish(notice(world.acme, context={"severity": "critical"}))
    assert deliver().sent == 1
    [body] = receiver.bodies
    assert body["title"] == "[Outage] Mail server down (Acme Corporation)"
    assert "Severity:  critical" in body["message"]
    assert "Since:     2026-03-02 10:00 CET (2026-03-02 09:00 UTC)" in body["message"]


def test_a_down_channel_is_retried_with_backoff_until_it_comes_up(
    world: World, receiver: Receiver
) -> None:
    only([NoticeKind.OUTAGE_DETECTED])
    channel = config.create_channel(world.acme, "Acme hook", receiver.url)  # port closed
    policy(world.acme, [NoticeKind.OUTAGE_DETECTED], channels=[channel])
    with time_machine.travel(MONDAY_10, tick=False):
        publish(notice(world.acme))
    row = Delivery.objects.get()
    # 1st attempt fails: retry in 1 min; 2nd: in 2 min; 3rd: in 4 min.
    moments = [MONDAY_10, MONDAY_10 + timedelta(minutes=1), MONDAY_10 + timedelta(minutes=3)]
    for attempt, at in enumerate(moments, start=1):
        with time_machine.travel(at, tick=False):
            assert send_due_deliveries.call() == {"sent": 0, "retrying": 1, "failed": 0}
            assert send_due_deliveries.call() == {"sent": 0, "retrying": 0, "failed": 0}
        row.refresh_from_db()
        assert row.status == DeliveryStatus.RETRYING
        assert row.attempts == attempt
        assert row.next_attempt_at == at + timedelta(minutes=2 ** (attempt - 1))
        assert "Connection error" in row.last_error
    # One second early: nothing is due.
    assert deliver(MONDAY_10 + timedelta(minutes=7) - timedelta(seconds=1)).retrying == 0
    receiver.start()
    assert deliver(MONDAY_10 + timedelta(minutes=7)).sent == 1
    row.refresh_from_db()
    assert row.status == DeliveryStatus.SENT
    assert row.attempts == 4
    assert [entry["ok"] for entry in row.log] == [False, False, False, True]
    assert row.last_error == ""
    assert len(receiver.bodies) == 1


def test_a_channel_that_never_comes_back_fails_after_the_last_attempt(
    world: World, receiver: Receiver
) -> None:
    only([NoticeKind.OUTAGE_DETECTED])
    channel = config.create_channel(world.acme, "Acme hook", receiver.url)
    policy(world.acme, [NoticeKind.OUTAGE_DETECTED], channels=[channel])
    with time_machine.travel(MONDAY_10, tick=False):
        publish(notice(world.acme))
    at = MONDAY_10
    for _ in range(MAX_ATTEMPTS):
        deliver(at)
        at += timedelta(hours=1)
    row = Delivery.objects.get()
    assert row.status == DeliveryStatus.FAILED
    assert row.attempts == MAX_ATTEMPTS
    assert row.next_attempt_at is None
    assert len(row.log) == MAX_ATTEMPTS
    receiver.start()
    assert services.retry_now(row, at) == DeliveryStatus.SENT  # "retry now" still works
    assert len(receiver.bodies) == 1


def test_quiet_hours_hold_until_they_end_but_never_a_p1(world: World, sink: Sink) -> None:
    only([NoticeKind.OUTAGE_DETECTED, NoticeKind.P1_OPENED])
    kinds = [NoticeKind.OUTAGE_DETECTED, NoticeKind.P1_OPENED]
    policy(world.acme, kinds, contacts="all", quiet_start=_t(22), quiet_end=_t(7))
    night = MONDAY_10.replace(hour=21)  # 22:00 in Berlin: the first quiet second
    with time_machine.travel(night, tick=False):
        publish(notice(world.acme, subject="Disk full"))
        publish(notice(world.acme, NoticeKind.P1_OPENED, subject="All down", priority="P1"))
    held = Delivery.objects.get(kind=NoticeKind.OUTAGE_DETECTED)
    assert held.status == DeliveryStatus.HELD
    assert held.next_attempt_at == night.replace(day=3, hour=6)  # 07:00 Berlin next morning
    assert deliver(night).sent == 1  # the P1 only
    assert [m["Subject"] for m in sink.messages] == ["[P1] All down (Acme Corporation)"]
    assert deliver(night.replace(day=3, hour=5, minute=59, second=59)).sent == 0
    assert deliver(night.replace(day=3, hour=6)).sent == 1
    assert sink.messages[-1]["Subject"] == "[Outage] Disk full (Acme Corporation)"


def _t(hour: int) -> time:
    return time(hour, 0)


def test_publish_is_idempotent_on_the_key(world: World, sink: Sink) -> None:
    with time_machine.travel(MONDAY_10, tick=False):
        first = publish(notice(world.acme, contact_ids=(world.acme_contact.pk,)))
        again = publish(notice(world.acme, body="the same event, told twice",
                               contact_ids=(world.acme_contact.pk,)))  # fmt: skip
    assert first is not None
    assert again == first
    assert Notification.objects.count() == 1
    deliver()
    deliver()
    assert len(sink.messages) == 1


def test_publish_in_a_rolled_back_transaction_sends_nothing(
    world: World, sink: Sink, immediate: None, django_capture_on_commit_callbacks: Any
) -> None:
    class Undo(Exception):
        pass

    def publish_then_fail() -> None:
        with transaction.atomic():
            publish(notice(world.acme, contact_ids=(world.acme_contact.pk,)))
            raise Undo

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(Undo):
        publish_then_fail()
    assert callbacks == []
    assert Notification.objects.count() == 0
    assert Delivery.objects.count() == 0
    assert sink.messages == []


def test_after_commit_the_task_sends_at_once(
    world: World, sink: Sink, immediate: None, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        publish(notice(world.acme, contact_ids=(world.acme_contact.pk,)))
        assert sink.messages == []  # not inside the caller's transaction
    assert len(sink.messages) == 1
    assert Delivery.objects.get().status == DeliveryStatus.SENT


def test_a_failure_never_reaches_the_caller(world: World, caplog: Any) -> None:
    assert publish(notice(world.acme, kind="no_such_kind")) is None
    assert "could not publish notice" in caplog.text
    # The caller's transaction is still usable.
    tenancy.update_client(world.acme, {"industry": "Retail"})
    world.acme.refresh_from_db()
    assert world.acme.industry == "Retail"


def test_smtp_down_is_retried_not_lost(world: World, settings: Any) -> None:
    from tests.servicedesk.smtp import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = HOST, free_port()  # nothing listens
    with time_machine.travel(MONDAY_10, tick=False):
        publish(notice(world.acme, contact_ids=(world.acme_contact.pk,)))
    assert deliver().retrying == 1
    row = Delivery.objects.get()
    assert row.status == DeliveryStatus.RETRYING
    assert "ConnectionRefusedError" in row.last_error


def test_default_policies_route_sla_breach_and_p1(world: World) -> None:
    sam = tenancy.create_user(username="sam", role="service_manager", email="sam@msp.example")
    tenancy.update_user(world.bob, {"email": "bob@msp.example"})
    tenancy.update_contact(world.acme_contact, {"is_primary": True})
    with time_machine.travel(MONDAY_10, tick=False):
        breach = publish(notice(world.acme, NoticeKind.SLA_BREACH, priority="P3",
                                context={"assignee_id": world.bob.pk}))  # fmt: skip
        p1 = publish(notice(world.acme, NoticeKind.P1_OPENED, priority="P1"))
    assert breach is not None
    assert p1 is not None
    assert sorted(d.address for d in breach.deliveries.all()) == [
        "bob@msp.example", sam.email, ]  # fmt: skip
    assert sorted(d.address for d in p1.deliveries.all()) == ["carol@acme.example", sam.email]
    assert p1.deliveries.get(address="carol@acme.example").to_client


def test_a_client_policy_can_replace_the_msp_defaults(world: World) -> None:
    tenancy.create_user(username="sam", role="service_manager", email="sam@msp.example")
    policy(world.acme, [NoticeKind.P1_OPENED], contacts="all", replaces_msp_policies=True)
    with time_machine.travel(MONDAY_10, tick=False):
        acme = publish(notice(world.acme, NoticeKind.P1_OPENED, priority="P1"))
        globex = publish(notice(world.globex, NoticeKind.P1_OPENED, priority="P1", key="g"))
    assert acme is not None
    assert globex is not None
    assert [d.address for d in acme.deliveries.all()] == ["carol@acme.example"]
    assert [d.address for d in globex.deliveries.all()] == ["sam@msp.example"]


def test_nobody_to_tell_is_recorded_not_hidden(world: World) -> None:
    only([NoticeKind.OUTAGE_DETECTED])
    found = publish(notice(world.acme))
    assert found is not None
    assert found.deliveries.count() == 0
    assert "no policy routes" in found.problem
