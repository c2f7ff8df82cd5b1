"""Where notices come from: P1 tickets (created, raised), alert transitions (outage detected
and recovered, and the P1 an alert opens, timed from the alert), maintenance windows
(scheduled; starting, at the lead time's exact edge), agreement reminders (renewal due)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import time_machine

from steward.agreements import services as agreements
from steward.monitoring.models import Alert
from steward.monitoring.rules.model import Severity, Transition, TransitionKind
from steward.monitoring.services import alert_state, windows
from steward.notify.events import NoticeKind
from steward.notify.maintenance import announce_starting
from steward.notify.models import Notification
from steward.servicedesk import services as desk
from steward.tenancy import services as tenancy
from tests.agreements.builders import acme_agreement
from tests.conftest import World
from tests.monitoring.alerting.builders import MOMENT, acme_alert
from tests.notify.helpers import MONDAY_10


def kinds() -> list[str]:
    return list(Notification.objects.order_by("pk").values_list("kind", flat=True))


def test_a_p1_ticket_is_published_after_commit_once(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    tenancy.update_contact(world.acme_contact, {"is_primary": True})
    with django_capture_on_commit_callbacks(execute=True):
        ticket = desk.open_ticket(world.acme, subject="Everything is down", priority="P1",
                                  priority_reason="whole office", at=MONDAY_10)  # fmt: skip
    found = Notification.objects.get(kind=NoticeKind.P1_OPENED)
    assert found.key == f"p1_opened:{ticket.pk}"
    assert found.at == MONDAY_10  # no alert: detected when the ticket was opened
    assert found.priority == "P1"
    assert found.subject == "[P1] Everything is down (Acme Corporation)"
    assert [d.address for d in found.deliveries.all()] == ["carol@acme.example"]
    with django_capture_on_commit_callbacks(execute=True):
        desk.set_priority(ticket, "P2", reason="workaround", at=MONDAY_10 + timedelta(hours=1))
        desk.set_priority(ticket, "P1", reason="worse again", at=MONDAY_10 + timedelta(hours=2))
    assert Notification.objects.filter(kind=NoticeKind.P1_OPENED).count() == 1


def test_a_ticket_raised_to_p1_is_published(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        ticket = desk.open_ticket(world.acme, subject="Slow VPN", at=MONDAY_10)
    assert kinds() == []
    with django_capture_on_commit_callbacks(execute=True):
        desk.set_priority(ticket, "P1", reason="CEO", at=MONDAY_10 + timedelta(minutes=5))
    assert kinds() == [NoticeKind.P1_OPENED]


def test_a_rolled_back_p1_publishes_nothing(world: World) -> None:
    # Without a commit (the test's transaction is never committed) nothing is published.
    desk.open_ticket(world.acme, subject="Down", priority="P1", priority_reason="x", at=MONDAY_10)
    assert kinds() == []


def _transition(alert: Alert, kind: TransitionKind, at: datetime) -> Transition:
    return Transition(key=alert.key, rule_id=alert.rule_id, kind=kind, at=at,
                      reason="backup failed", severity=Severity.CRITICAL, notify=True)  # fmt: skip


def test_critical_alert_publishes_outage_and_a_p1_timed_from_the_alert(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    alert = acme_alert(world)
    fired = MOMENT + timedelta(minutes=3)
    with django_capture_on_commit_callbacks(execute=True):
        alert_state.record(alert, [_transition(alert, TransitionKind.FIRING, fired)], fired,
                           lambda t: "Backup failed on acme-fs")  # fmt: skip
        alert.save()
    assert sorted(kinds()) == [NoticeKind.OUTAGE_DETECTED, NoticeKind.P1_OPENED]
    outage = Notification.objects.get(kind=NoticeKind.OUTAGE_DETECTED)
    assert outage.key == f"outage_detected:{alert.pk}:{fired.isoformat()}"
    assert outage.subject == "[Outage] Backup failed on acme-fs (Acme Corporation)"
    p1 = Notification.objects.get(kind=NoticeKind.P1_OPENED)
    assert p1.at == fired  # the alert's start, not the moment the ticket row was written
    resolved = fired + timedelta(minutes=30)
    with django_capture_on_commit_callbacks(execute=True):
        alert_state.record(alert, [_transition(alert, TransitionKind.RESOLVED, resolved)],
                           resolved, lambda t: "Backup failed on acme-fs")  # fmt: skip
        alert.save()
    assert Notification.objects.filter(kind=NoticeKind.OUTAGE_RECOVERED).count() == 1


def test_minor_alerts_are_not_outages(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    alert = acme_alert(world)
    found = Transition(key=alert.key, rule_id=alert.rule_id, kind=TransitionKind.FIRING,
                       at=MOMENT, reason="slow", severity=Severity.MINOR, notify=True)  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        alert_state.record(alert, [found], MOMENT, lambda t: "Slow disk")
        alert.save()
    assert NoticeKind.OUTAGE_DETECTED not in kinds()


def test_maintenance_scheduled_only_when_shown_to_the_client(world: World) -> None:
    start = datetime(2026, 3, 7, 21, 0, tzinfo=UTC)
    windows.create_window(world.acme, title="Firewall upgrade", starts_at=start,
                          ends_at=start + timedelta(hours=2), timezone="Europe/Berlin")  # fmt: skip
    windows.create_window(world.acme, title="Internal", starts_at=start,
                          ends_at=start + timedelta(hours=1), shown_to_client=False)  # fmt: skip
    [found] = Notification.objects.filter(kind=NoticeKind.MAINTENANCE_SCHEDULED)
    assert found.subject == "[Maintenance scheduled] Firewall upgrade"
    assert "Starts:    2026-03-07 22:00 CET (2026-03-07 21:00 UTC)" in found.text
    assert [d.address for d in found.deliveries.all()] == ["carol@acme.example"]


def test_maintenance_starting_at_the_lead_time_edge_once_per_occurrence(world: World) -> None:
    first = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)  # Sundays 02:00 Berlin, weekly
    windows.create_window(world.acme, title="Patch night", starts_at=first,
                          rrule="FREQ=WEEKLY;BYDAY=SU", duration_seconds=7200,
                          timezone="Europe/Berlin")  # fmt: skip
    second = datetime(2026, 3, 8, 1, 0, tzinfo=UTC)
    lead = timedelta(minutes=60)
    with time_machine.travel(second - lead - timedelta(seconds=1), tick=False):
        assert announce_starting(second - lead - timedelta(seconds=1)) == 0
    with time_machine.travel(second - lead, tick=False):
        assert announce_starting(second - lead) == 1
        assert announce_starting(second - lead) == 1  # considered again, published once
    [found] = Notification.objects.filter(kind=NoticeKind.MAINTENANCE_STARTING)
    assert found.key == f"maintenance_starting:{found.context['window_id']}:{second.isoformat()}"
    assert found.at == second
    # After DST (Mar 29) the wall clock holds: 02:00 CEST is 00:00 UTC.
    after_dst = datetime(2026, 4, 5, 0, 0, tzinfo=UTC)
    with time_machine.travel(after_dst - lead, tick=False):
        assert announce_starting(after_dst - lead) == 1
    assert Notification.objects.filter(kind=NoticeKind.MAINTENANCE_STARTING).count() == 2


def test_a_raised_reminder_publishes_renewal_due_to_account_managers(world: World) -> None:
    tenancy.create_user(username="amy", role="account_manager", email="amy@msp.example")
    acme_agreement(world)
    agreements.raise_reminders(datetime(2025, 9, 22, 10, tzinfo=UTC))
    found = Notification.objects.get(kind=NoticeKind.RENEWAL_DUE)
    assert found.subject.startswith("[Renewal due] Agreement notice deadline")
    assert [d.address for d in found.deliveries.all()] == ["amy@msp.example"]
    agreements.raise_reminders(datetime(2025, 9, 22, 10, tzinfo=UTC))  # a re-run adds nothing
    assert Notification.objects.filter(kind=NoticeKind.RENEWAL_DUE).count() == 1
