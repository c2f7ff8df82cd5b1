"""The report delivery job: run due schedules, then (re)try due deliveries. Every minute, so
a report goes out within a minute of its HH:MM; both steps are claims, so overlapping runs or
several workers do no harm."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from steward.core.schedule import periodic
from steward.reporting.services.delivery import run_due_schedules, send_due


@periodic(every=timedelta(minutes=1))
@task()
def deliver_reports() -> dict[str, int]:
    """Generate and mail the reports whose time has come; retry failed mails."""
    now = timezone.now()
    generated = run_due_schedules(now)
    sent = send_due(now)
    return {"generated": len(generated), "sent": sent}
