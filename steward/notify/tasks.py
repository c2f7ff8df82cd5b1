"""Background jobs of the notify app: send a notice's deliveries right after it is published,
send whatever is due every minute (retries, held ones, missed enqueues), and announce
maintenance that starts soon."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from steward.core.schedule import periodic
from steward.notify import services
from steward.notify.maintenance import announce_starting


@task()
def deliver_notification(notification_id: int) -> dict[str, int]:
    """Send the due deliveries of one notification (enqueued after its publish commits)."""
    return asdict(services.deliver_due(timezone.now(), notification_id=notification_id))


@periodic(every=timedelta(minutes=1))
@task()
def send_due_deliveries() -> dict[str, int]:
    """Send every due delivery: retries whose backoff ended, held ones whose quiet hours
    ended, and new ones whose task was lost. Claims by compare-and-set: safe to overlap."""
    return asdict(services.deliver_due(timezone.now()))


@periodic(every=timedelta(minutes=5))
@task()
def announce_maintenance_starting() -> int:
    """Publish "maintenance starting" for each client-visible occurrence that starts within
    the lead time; one notice per occurrence (its key), so re-runs add nothing."""
    return announce_starting(timezone.now())
