"""Acme objects of the work area (time entries, recurring schedules, surveys) for the generated
isolation walks; tests/servicedesk/builders.py merges WORK_BUILDERS into its builders."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import models
from django.utils import timezone

from steward.servicedesk import services
from steward.servicedesk.choices import Status
from steward.servicedesk.models import RecurringTicket, Survey, TimeEntry
from steward.servicedesk.services import recurring, work
from tests.agreements.builders import acme_agreement
from tests.servicedesk.builders import acme_ticket


def acme_time_entry(world: Any) -> TimeEntry:
    found = TimeEntry.objects.filter(client=world.acme).order_by("pk").first()
    if found is not None:
        return found
    now = timezone.now()
    return work.log_time(
        acme_ticket(world),
        world.bob,
        started_at=now - timedelta(hours=1),
        duration_seconds=600,
        notes="Acme toner swap",
        now=now,
    )


def acme_recurring_ticket(world: Any) -> RecurringTicket:
    found = RecurringTicket.objects.filter(client=world.acme).order_by("pk").first()
    if found is not None:
        return found
    return recurring.create_recurring(
        acme_agreement(world),
        subject="Acme patch day",
        rrule="FREQ=MONTHLY;BYDAY=1MO",
        dtstart=timezone.now() + timedelta(days=1),
    )


def acme_survey(world: Any) -> Survey:
    """A survey of a second Acme ticket, resolved (the first ticket stays open)."""
    found = Survey.objects.filter(client=world.acme).order_by("pk").first()
    if found is not None:
        return found
    acme_ticket(world)
    ticket = services.open_ticket(
        world.acme, subject="Acme laptop slow", requester=world.acme_contact, by=world.bob
    )
    services.assign(ticket, world.bob)
    services.change_status(ticket, Status.RESOLVED, by=world.bob)
    return Survey.objects.get(ticket=ticket)


WORK_BUILDERS: dict[str, Callable[[Any], models.Model]] = {
    "servicedesk.timeentry": acme_time_entry,
    "servicedesk.recurringticket": acme_recurring_ticket,
    "servicedesk.survey": acme_survey,
}
