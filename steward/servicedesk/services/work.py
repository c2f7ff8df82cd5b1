"""Time worked on tickets: entries logged by hand and running timers.

Every change adds a TIME event to the ticket's timeline (internal: contacts never see time).
A technician has at most one running timer; starting another stops the first into an entry.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from steward.core.validation import save_validated
from steward.servicedesk.choices import EventKind, WorkType
from steward.servicedesk.models import Ticket, TimeEntry, Timer
from steward.servicedesk.services.tickets import record_event
from steward.tenancy.choices import Role
from steward.tenancy.models import Client, User
from steward.tenancy.scoping import is_active_staff

MINUTE = 60
MAX_ENTRY_SECONDS = 24 * 3600
# Roles that may change or delete anybody's entries; others only their own.
MANAGER_ROLES = frozenset({Role.OWNER, Role.ADMIN, Role.SERVICE_MANAGER})
ENTRY_FIELDS = frozenset({"started_at", "duration_seconds", "work_type", "billable", "notes"})


def is_manager(user: User) -> bool:
    return bool(user.is_superuser or user.role in MANAGER_ROLES)


def may_log_time(user: Any) -> bool:
    """Staff who do the work: every staff role except the read-only auditor."""
    return is_active_staff(user) and (user.is_superuser or user.role != Role.AUDITOR)


def _check_technician(technician: User, ticket: Ticket) -> None:
    if not may_log_time(technician):
        raise ValidationError({"technician": "only active MSP staff can log time"})
    if not Client.objects.visible_to(technician).filter(pk=ticket.client_id).exists():
        raise ValidationError({"technician": f"{technician} does not work for this client"})


def _check_editor(entry: TimeEntry, by: User) -> None:
    if entry.technician_id != by.pk and not is_manager(by):
        raise PermissionDenied("only managers may change another technician's time")


def rounded_seconds(elapsed: timedelta) -> int:
    """A timer's elapsed time rounded up to whole minutes, at least one minute."""
    seconds = max(int(elapsed.total_seconds()), 0)
    minutes = max(-(-seconds // MINUTE), 1)
    return int(minutes * MINUTE)


def _time_event(
    entry: TimeEntry, action: str, *, by: User | None, at: datetime, now: datetime
) -> None:
    record_event(
        entry.ticket,
        EventKind.TIME,
        at=at,
        by=by,
        to_value=str(entry.duration_seconds // MINUTE),
        body=entry.notes,
        public=False,
        data={
            "action": action,
            "entry": entry.pk,
            "technician": entry.technician.get_username(),
            "seconds": entry.duration_seconds,
            "billable": entry.billable,
            "work_type": entry.work_type,
        },
        now=now,
    )


def log_time(
    ticket: Ticket,
    technician: User,
    *,
    started_at: datetime,
    duration_seconds: int,
    work_type: str = WorkType.REMOTE,
    billable: bool = True,
    notes: str = "",
    by: User | None = None,
    now: datetime | None = None,
) -> TimeEntry:
    """Record ``duration_seconds`` (1 minute to 24 hours) of work by ``technician`` on
    ``ticket`` from ``started_at`` (not in the future)."""
    now = now or timezone.now()
    _check_technician(technician, ticket)
    if started_at > now:
        raise ValidationError({"started_at": "the work cannot start in the future"})
    entry = TimeEntry(
        client_id=ticket.client_id,
        ticket=ticket,
        technician=technician,
        started_at=started_at,
        duration_seconds=duration_seconds,
        work_type=work_type,
        billable=billable,
        notes=notes.strip(),
        created_at=now,
    )
    with transaction.atomic():
        save_validated(entry)
        _time_event(entry, "logged", by=by or technician, at=now, now=now)
    return entry


def update_time_entry(
    entry: TimeEntry, changes: Mapping[str, Any], *, by: User, now: datetime | None = None
) -> TimeEntry:
    """Change an entry's start, duration, work type, billable flag or notes. Technicians change
    their own entries; managers anybody's."""
    now = now or timezone.now()
    _check_editor(entry, by)
    unknown = set(changes) - ENTRY_FIELDS
    if unknown:
        raise ValidationError({sorted(unknown)[0]: "cannot be changed"})
    for name, value in changes.items():
        setattr(entry, name, value.strip() if name == "notes" else value)
    if entry.started_at > now:
        raise ValidationError({"started_at": "the work cannot start in the future"})
    with transaction.atomic():
        save_validated(entry)
        _time_event(entry, "updated", by=by, at=now, now=now)
    return entry


def delete_time_entry(entry: TimeEntry, *, by: User, now: datetime | None = None) -> None:
    """Remove an entry (own, or anybody's for managers); the timeline keeps a TIME event."""
    now = now or timezone.now()
    _check_editor(entry, by)
    with transaction.atomic():
        _time_event(entry, "deleted", by=by, at=now, now=now)
        entry.delete()


def running_timer(technician: User) -> Timer | None:
    return Timer.objects.select_related("ticket").filter(technician=technician).first()


def start_timer(technician: User, ticket: Ticket, *, now: datetime | None = None) -> Timer:
    """Start timing ``technician``'s work on ``ticket``. A timer already running on another
    ticket is stopped into a time entry first; one on the same ticket keeps running."""
    now = now or timezone.now()
    _check_technician(technician, ticket)
    with transaction.atomic():
        current = running_timer(technician)
        if current is not None and current.ticket_id == ticket.pk:
            return current
        if current is not None:
            stop_timer(technician, now=now)
        # The one-to-one on technician refuses a second timer started concurrently.
        timer = Timer.objects.create(
            client_id=ticket.client_id, technician=technician, ticket=ticket, started_at=now
        )
        record_event(
            ticket,
            EventKind.TIME,
            at=now,
            by=technician,
            public=False,
            data={"action": "timer_started", "technician": technician.get_username()},
            now=now,
        )
    return timer


def stop_timer(technician: User, *, now: datetime | None = None) -> TimeEntry:
    """Stop ``technician``'s timer into a time entry, rounded up to whole minutes (at least
    one). A timer left running for more than a day is capped at 24 hours, noted on the entry."""
    now = now or timezone.now()
    with transaction.atomic():
        timer = running_timer(technician)
        # Deleting by primary key is the claim: of two concurrent stops only one deletes the
        # row and writes the entry.
        if timer is None or Timer.objects.filter(pk=timer.pk).delete()[0] != 1:
            raise ValidationError({"timer": "no timer is running"})
        started_at = min(timer.started_at, now)
        seconds = rounded_seconds(now - started_at)
        notes = ""
        if seconds > MAX_ENTRY_SECONDS:
            notes = f"Timer ran {seconds // 3600} h; capped at 24 h. Correct this entry."
            seconds = MAX_ENTRY_SECONDS
        return log_time(
            timer.ticket,
            technician,
            started_at=started_at,
            duration_seconds=seconds,
            notes=notes,
            by=technician,
            now=now,
        )
