"""Schedules and delivery: saving a schedule, running due schedules, mailing stored reports
with retries.

Every running clock here is an indexed column claimed by compare-and-set:
``ReportSchedule.next_run_at`` (a schedule's next slot) and ``ReportDelivery.attempts`` (a send
attempt), so any number of workers run each slot and each attempt once.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone

from steward.agreements.models import BusinessCalendar
from steward.core.branding import branding
from steward.core.validation import save_validated
from steward.obligations.periods import Period
from steward.reporting.choices import DeliveryStatus, Paper, Trigger
from steward.reporting.models import ReportDelivery, ReportSchedule, StoredReport
from steward.reporting.scheduling import deadline, next_run, reported_month
from steward.reporting.services.calendars import calendar_for
from steward.reporting.services.store import generate
from steward.tenancy.models import Client, Contact, User

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# Waits after the 1st, 2nd … failed attempt; the last one repeats.
BACKOFF = (
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
    timedelta(hours=3),
    timedelta(hours=6),
)
SMTP_TIMEOUT = 30


# --- Schedules -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScheduleSpec:
    business_day: int
    send_time: time
    contacts: Sequence[Contact]
    paper: str = Paper.A4
    enabled: bool = True
    calendar: BusinessCalendar | None = None


def schedule_next_run(schedule: ReportSchedule, now: datetime) -> datetime:
    """The schedule's first send instant after ``now`` (client zone and business calendar)."""
    spec = calendar_for(schedule.client, schedule)
    return next_run(
        spec, schedule.business_day, schedule.send_time, ZoneInfo(schedule.client.timezone), now
    )


def save_schedule(
    client: Client, spec: ScheduleSpec, *, now: datetime | None = None
) -> ReportSchedule:
    """Create or change the report schedule of ``client``; the next slot is recomputed."""
    now = now or timezone.now()
    strangers = [c for c in spec.contacts if c.client_id != client.pk]
    if strangers:
        raise ValidationError({"contacts": "a contact belongs to another client"})
    with transaction.atomic():
        schedule = ReportSchedule.objects.filter(client=client).first() or ReportSchedule(
            client=client
        )
        schedule.business_day = spec.business_day
        schedule.send_time = spec.send_time
        schedule.paper = spec.paper
        schedule.enabled = spec.enabled
        schedule.calendar = spec.calendar
        schedule.full_clean(exclude=["next_run_at"])
        schedule.next_run_at = schedule_next_run(schedule, now) if spec.enabled else None
        save_validated(schedule)
        schedule.contacts.set(spec.contacts)
    return schedule


def run_due_schedules(now: datetime) -> list[StoredReport]:
    """Run every enabled schedule whose slot has come: claim it (move ``next_run_at`` to the
    following slot if nobody else did), generate last month's report and queue its mails."""
    done = []
    due = ReportSchedule.objects.filter(enabled=True, next_run_at__lte=now).select_related("client")
    for schedule in due.order_by("next_run_at", "pk"):
        slot = schedule.next_run_at
        assert slot is not None  # filtered above
        following = schedule_next_run(schedule, max(now, slot))
        claimed = ReportSchedule.objects.filter(pk=schedule.pk, next_run_at=slot).update(
            next_run_at=following, last_run_at=now
        )
        if claimed != 1:
            continue  # another worker took this slot
        try:
            done.append(run_schedule(schedule, slot, now))
        except Exception:
            # One client's failure must not stop the others; the slot is spent (a person can
            # "send now"), and the log says why.
            log.exception("report schedule %s failed for slot %s", schedule.pk, slot)
    return done


def run_schedule(schedule: ReportSchedule, slot: datetime, now: datetime) -> StoredReport:
    """Generate the report the slot is for and queue one delivery per chosen contact."""
    zone = ZoneInfo(schedule.client.timezone)
    period = reported_month(slot, zone)
    stored = generate(
        schedule.client, period.key, paper=schedule.paper, trigger=Trigger.SCHEDULE, now=now
    )
    due = deadline(calendar_for(schedule.client, schedule), period, schedule.business_day, zone)
    queue(stored, schedule.contacts.all(), trigger=Trigger.SCHEDULE, due_at=due, now=now)
    return stored


# --- Deliveries ----------------------------------------------------------------------------------


def queue(
    report: StoredReport,
    contacts: Iterable[Contact],
    *,
    trigger: str,
    due_at: datetime | None,
    now: datetime,
) -> list[ReportDelivery]:
    """One pending delivery per contact, to be sent by ``send_due`` (at once when it runs)."""
    rows = [
        ReportDelivery(
            client_id=report.client_id,
            report=report,
            contact=c,
            email=c.email,
            trigger=trigger,
            due_at=due_at,
            next_attempt_at=now,
            created_at=now,
        )
        for c in contacts
        if c.client_id == report.client_id and c.email
    ]
    return ReportDelivery.objects.bulk_create(rows)


def send_now(
    report: StoredReport,
    contacts: Iterable[Contact],
    *,
    by: User | None,
    now: datetime | None = None,
) -> list[ReportDelivery]:
    """Mail ``report`` to ``contacts`` now (from the staff UI); due date: the schedule's
    deadline for the report's month when the client has a schedule."""
    now = now or timezone.now()
    chosen = list(contacts)
    if not chosen:
        raise ValidationError({"contacts": "choose at least one contact"})
    schedule = ReportSchedule.objects.filter(client_id=report.client_id).first()
    due = None
    if schedule is not None:
        zone = ZoneInfo(report.client.timezone)
        spec = calendar_for(report.client, schedule)
        due = deadline(spec, Period.parse(report.period), schedule.business_day, zone)
    rows = queue(report, chosen, trigger=Trigger.MANUAL, due_at=due, now=now)
    send_due(now, ids=[r.pk for r in rows])
    return list(ReportDelivery.objects.filter(pk__in=[r.pk for r in rows]))


def send_due(now: datetime, ids: Sequence[int] | None = None) -> int:
    """Attempt every delivery whose attempt time has come (only ``ids`` when given); returns
    how many went out."""
    due = ReportDelivery.objects.filter(next_attempt_at__lte=now).exclude(
        status__in=[DeliveryStatus.SENT, DeliveryStatus.GAVE_UP]
    )
    if ids is not None:
        due = due.filter(pk__in=ids)
    sent = 0
    for delivery in due.select_related("report", "client").order_by("next_attempt_at", "pk"):
        sent += attempt(delivery, now)
    return sent


def _claim(delivery: ReportDelivery, now: datetime) -> bool:
    """Take this attempt: bump ``attempts`` and push ``next_attempt_at`` to the retry time, so
    a worker that dies mid-send leaves the delivery to be retried later, never twice now."""
    wait = BACKOFF[min(delivery.attempts, len(BACKOFF) - 1)]
    claimed = ReportDelivery.objects.filter(
        pk=delivery.pk, attempts=delivery.attempts, next_attempt_at=delivery.next_attempt_at
    ).update(attempts=delivery.attempts + 1, next_attempt_at=now + wait)
    if claimed == 1:
        delivery.attempts += 1
        delivery.next_attempt_at = now + wait
    return claimed == 1


def attempt(delivery: ReportDelivery, now: datetime) -> bool:
    """One send attempt of ``delivery``; records the outcome. True when it went out."""
    if not _claim(delivery, now):
        return False
    try:
        message(delivery).send(fail_silently=False)
    except (OSError, smtplib.SMTPException) as exc:
        gave_up = delivery.attempts >= MAX_ATTEMPTS
        ReportDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.GAVE_UP if gave_up else DeliveryStatus.FAILED,
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
            next_attempt_at=None if gave_up else delivery.next_attempt_at,
        )
        log.warning(
            "report delivery %s failed (attempt %s): %s", delivery.pk, delivery.attempts, exc
        )
        return False
    sent_at = now
    ReportDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENT,
        sent_at=sent_at,
        on_time=None if delivery.due_at is None else sent_at <= delivery.due_at,
        next_attempt_at=None,
        last_error="",
    )
    return True


def message(delivery: ReportDelivery) -> EmailMessage:
    """The mail of one delivery: a short text and the PDF attached."""
    report, client = delivery.report, delivery.client
    brand = branding()
    label = Period.parse(report.period).label
    body = (
        f"Hello,\n\nattached is the service report of {client.name} for {label} "
        f"(version {report.version}).\n\nIt covers tickets and service levels, availability of "
        "your monitored services, alerts, security posture, hours and satisfaction, and the "
        f"scorecard of our obligations to you.\n\n{brand.name}\n"
    )
    mail = EmailMessage(
        subject=f"{brand.name}: service report {label} for {client.name}",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[delivery.email],
        connection=get_connection(fail_silently=False, timeout=SMTP_TIMEOUT),
    )
    mail.attach(report.filename, bytes(report.pdf), "application/pdf")
    return mail
