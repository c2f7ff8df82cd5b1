"""Background jobs of the service desk (``@task`` functions; periodic ones with ``@periodic``)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from steward.core.schedule import periodic
from steward.servicedesk.escalation import process_deadlines
from steward.servicedesk.services.recurring import create_due_recurring


@periodic(every=timedelta(minutes=1))
@task()
def announce_sla_deadlines() -> int:
    """Announce the SLA warnings and breaches due now (escalation.process_deadlines); returns
    how many were announced. Idempotent: a deadline is claimed once, whoever runs it."""
    return len(process_deadlines(timezone.now()))


@periodic(every=timedelta(minutes=15))
@task()
def open_recurring_tickets() -> int:
    """Open the tickets of every recurring schedule due now; returns how many were opened.
    Idempotent: each occurrence is claimed once (see ``services.recurring``)."""
    return len(create_due_recurring(timezone.now()))
