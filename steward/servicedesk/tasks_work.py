"""Periodic jobs of the service desk's work area: opening recurring preventive tickets."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from steward.core.schedule import periodic
from steward.servicedesk.services.recurring import create_due_recurring


@periodic(every=timedelta(minutes=15))
@task()
def open_recurring_tickets() -> int:
    """Open the tickets of every recurring schedule due now; returns how many were opened.
    Idempotent: each occurrence is claimed once (see ``services.recurring``)."""
    return len(create_due_recurring(timezone.now()))
