"""The daily reminder job: 90/60/30 days before a deadline, once each, at the boundary day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import time_machine

from steward.agreements import services
from steward.agreements.choices import ReminderKind
from steward.agreements.models import Agreement, Reminder
from steward.agreements.tasks import raise_renewal_reminders
from tests.agreements.conftest import make_agreement
from tests.conftest import World

# ACME-MSA-1: 2025-01-01 for 12 months, 90 days' notice -> notice deadline 2025-10-02.
DEADLINE = date(2025, 10, 2)


def berlin_noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=UTC)  # 11:00/12:00 in Berlin


def test_nothing_before_the_90th_day(agreement: Agreement) -> None:
    assert services.raise_reminders(berlin_noon(DEADLINE - timedelta(days=91))) == []


def test_each_threshold_once_on_its_day(agreement: Agreement) -> None:
    raised = {}
    day = DEADLINE - timedelta(days=100)
    while day <= DEADLINE + timedelta(days=5):
        for reminder in services.raise_reminders(berlin_noon(day)):
            raised[reminder.threshold] = day
        day += timedelta(days=1)
    assert raised == {
        90: DEADLINE - timedelta(days=90),
        60: DEADLINE - timedelta(days=60),
        30: DEADLINE - timedelta(days=30),
    }
    rows = Reminder.objects.filter(client=agreement.client)
    assert {(r.kind, r.due_date) for r in rows} == {(ReminderKind.AGREEMENT_NOTICE, DEADLINE)}
    assert rows.get(threshold=90).subject == agreement


def test_re_running_the_job_creates_nothing(agreement: Agreement) -> None:
    now = berlin_noon(DEADLINE - timedelta(days=60))
    assert [r.threshold for r in services.raise_reminders(now)] == [60]
    assert services.raise_reminders(now) == []
    assert services.raise_reminders(now + timedelta(hours=5)) == []
    assert Reminder.objects.count() == 1


def test_the_boundary_is_the_local_midnight_of_the_governing_zone(world: World) -> None:
    # Deadline 2025-10-02 in Berlin (UTC+2 in summer): the 90-day mark starts at 2025-07-04
    # 00:00 Berlin = 2025-07-03 22:00 UTC.
    make_agreement(world, timezone="Europe/Berlin")
    with time_machine.travel(datetime(2025, 7, 3, 21, 59, 59, tzinfo=UTC), tick=False):
        assert raise_renewal_reminders.call() == 0
    with time_machine.travel(datetime(2025, 7, 3, 22, 0, tzinfo=UTC), tick=False):
        assert raise_renewal_reminders.call() == 1
        assert raise_renewal_reminders.call() == 0


def test_a_moved_deadline_gets_reminders_of_its_own(agreement: Agreement) -> None:
    services.raise_reminders(berlin_noon(DEADLINE - timedelta(days=30)))
    services.update_agreement(agreement, {"notice_days": 60})  # deadline moves to 2025-11-01
    created = services.raise_reminders(berlin_noon(DEADLINE - timedelta(days=30)))
    assert [(r.threshold, r.due_date) for r in created] == [(60, date(2025, 11, 1))]


def test_a_fixed_term_reminds_of_its_expiry(world: World) -> None:
    make_agreement(world, reference="FIXED", auto_renew=False)
    created = services.raise_reminders(berlin_noon(date(2025, 12, 1)))
    assert [(r.kind, r.threshold, r.due_date) for r in created] == [
        (ReminderKind.AGREEMENT_EXPIRY, 30, date(2025, 12, 31))
    ]
    assert services.raise_reminders(berlin_noon(date(2026, 1, 1))) == []


def test_licenses_remind_before_their_end_date(world: World) -> None:
    lic = services.create_license(
        world.globex,
        vendor="Microsoft",
        product="Microsoft 365 Business Premium",
        seats=10,
        start_date=date(2025, 1, 1),
        end_date=date(2025, 12, 31),
    )
    # Globex is in New York: on 2025-10-02 at 02:00 UTC it is still 1 October there (91 days).
    assert services.raise_reminders(datetime(2025, 10, 2, 2, 0, tzinfo=UTC)) == []
    created = services.raise_reminders(datetime(2025, 10, 2, 5, 0, tzinfo=UTC))
    assert [(r.kind, r.threshold, r.subject) for r in created] == [
        (ReminderKind.LICENSE_RENEWAL, 90, lic)
    ]


def test_acknowledging_keeps_the_first_time(agreement: Agreement, world: World) -> None:
    (reminder,) = services.raise_reminders(berlin_noon(DEADLINE - timedelta(days=10)))
    first = datetime(2025, 9, 23, 8, 0, tzinfo=UTC)
    services.acknowledge_reminder(reminder, world.alice, now=first)
    services.acknowledge_reminder(reminder, world.bob, now=first + timedelta(days=1))
    reminder.refresh_from_db()
    assert (reminder.acknowledged_at, reminder.acknowledged_by) == (first, world.alice)
