"""Raising and acknowledging reminders (service verbs; ``services`` re-exports them).

The daily job calls ``raise_reminders(now)``. For each subject with a deadline it computes the
most urgent threshold (90/60/30 days) that the subject's local date has reached and inserts a
reminder unless one exists for that subject, threshold and deadline; the unique constraint
makes a re-run (or two workers at once) harmless.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from steward.agreements.choices import REMINDER_THRESHOLDS, ReminderKind
from steward.agreements.models import Agreement, License, Reminder
from steward.agreements.renewals import due_threshold
from steward.tenancy.models import User


@dataclass(frozen=True)
class Deadline:
    subject: models.Model
    client_id: int
    kind: str
    due_date: date
    today: date


def agreement_deadline(agreement: Agreement, today: date) -> Deadline | None:
    """The notice deadline of an auto-renewing agreement, or the expiry of a fixed term."""
    if agreement.auto_renew:
        due = agreement.upcoming_notice_deadline(today)
        kind = ReminderKind.AGREEMENT_NOTICE
    else:
        due = agreement.dates(today).term_end
        kind = ReminderKind.AGREEMENT_EXPIRY
    if due is None:
        return None
    return Deadline(agreement, agreement.client_id, kind, due, today)


def _deadlines(now: datetime) -> Iterator[Deadline]:
    for agreement in Agreement.objects.select_related("client").iterator():
        found = agreement_deadline(agreement, agreement.today(now))
        if found is not None:
            yield found
    for lic in License.objects.select_related("client").iterator():
        today = now.astimezone(ZoneInfo(lic.client.timezone)).date()
        yield Deadline(lic, lic.client_id, ReminderKind.LICENSE_RENEWAL, lic.end_date, today)


def raise_reminders(now: datetime | None = None) -> list[Reminder]:
    """Raise every reminder due at ``now``; returns the ones created by this call."""
    now = now or timezone.now()
    created = []
    for deadline in _deadlines(now):
        threshold = due_threshold(deadline.due_date, deadline.today, REMINDER_THRESHOLDS)
        if threshold is None:
            continue
        subject_type = ContentType.objects.get_for_model(deadline.subject)
        key = {
            "subject_type": subject_type,
            "subject_id": deadline.subject.pk,
            "threshold": threshold,
            "due_date": deadline.due_date,
        }
        if Reminder.objects.filter(**key).exists():
            continue
        try:
            with transaction.atomic():
                reminder = Reminder.objects.create(
                    client_id=deadline.client_id, kind=deadline.kind, created_at=now, **key
                )
        except IntegrityError:  # another worker raised it between the check and the insert
            continue
        created.append(reminder)
    return created


def acknowledge_reminder(
    reminder: Reminder, user: User | None, now: datetime | None = None
) -> Reminder:
    """Mark a reminder as seen and handled; acknowledging twice keeps the first time."""
    if reminder.acknowledged_at is not None:
        return reminder
    reminder.acknowledged_at = now or timezone.now()
    reminder.acknowledged_by = user
    reminder.save(update_fields=["acknowledged_at", "acknowledged_by"])
    return reminder
