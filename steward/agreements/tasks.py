"""Background jobs of the agreements app."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from steward.agreements import services
from steward.core.schedule import periodic


@periodic(every=timedelta(days=1))
@task()
def raise_renewal_reminders() -> int:
    """Raise the 90/60/30-day reminders of notice deadlines, expiries and license renewals.
    Idempotent: a re-run on the same day creates nothing."""
    return len(services.raise_reminders())
