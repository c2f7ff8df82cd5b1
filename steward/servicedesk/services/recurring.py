"""Recurring preventive tickets: an RFC 5545 RRULE on an agreement, in the client's time zone.

Occurrences are computed on wall-clock time in the client's zone and only then turned into UTC,
so "every first Monday at 09:00" stays at 09:00 across daylight-saving changes. A wall time
that does not exist (the spring-forward gap) is moved forward by the gap; an ambiguous one (the
autumn fold) is its first occurrence.

``create_due_recurring(now)`` opens the ticket of each occurrence ``lead_days`` ahead of it.
Each occurrence is claimed by compare-and-set on ``next_occurrence_at``, in the same
transaction as the ticket it opens, so several workers never open one occurrence twice and a
failed open is retried on the next run. After downtime every missed occurrence gets its own
ticket, oldest first.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from steward.agreements.models import Agreement
from steward.core.validation import save_validated
from steward.servicedesk.choices import Source
from steward.servicedesk.models import RecurringTicket, Ticket
from steward.servicedesk.services.tickets import open_ticket

log = logging.getLogger(__name__)

MAX_LEAD_DAYS = 90
MAX_RULE_LENGTH = 500
# Preventive work is planned in days; a rule firing hourly or faster would flood the desk.
ALLOWED_FREQUENCIES = frozenset({"DAILY", "WEEKLY", "MONTHLY", "YEARLY"})
RULE_FIELDS = frozenset(
    {
        "subject",
        "description",
        "kind",
        "priority",
        "category",
        "rrule",
        "dtstart",
        "lead_days",
        "active",
    }
)
# How far back of ``after`` (in wall time) to look, so an occurrence in a repeated autumn
# hour is not skipped when comparing in UTC.
FOLD_SLACK = timedelta(hours=3)
SCAN_LIMIT = 10_000


def parse_rule(text: str, dtstart: datetime, zone: str) -> rrule:
    """The rule ``text`` (``FREQ=…;…``, optionally prefixed ``RRULE:``) starting at
    ``dtstart``'s wall time in ``zone``; a ValidationError naming ``rrule`` says why not."""
    if dtstart.tzinfo is None:
        raise ValidationError({"dtstart": "give a time zone (an aware datetime)"})
    body = text.strip()
    if body.upper().startswith("RRULE:"):
        body = body[6:]
    if not body:
        raise ValidationError({"rrule": "the rule is empty"})
    if len(body) > MAX_RULE_LENGTH:
        raise ValidationError({"rrule": f"the rule is longer than {MAX_RULE_LENGTH} characters"})
    if any(word in body.upper() for word in ("DTSTART", "\n", "EXDATE", "RDATE")):
        raise ValidationError({"rrule": "give one RRULE line; the first occurrence is dtstart"})
    if "FREQ=" not in body.upper():
        raise ValidationError({"rrule": "the rule needs FREQ (e.g. FREQ=MONTHLY;BYDAY=1MO)"})
    start = dtstart.astimezone(ZoneInfo(zone)).replace(tzinfo=None)
    try:
        # ignoretz: UNTIL is read as the client's wall time, like dtstart (a naive start
        # and a UTC UNTIL cannot be mixed).
        parsed = rrulestr(body, dtstart=start, ignoretz=True)
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as exc:
        reason = str(exc) or type(exc).__name__
        raise ValidationError({"rrule": f"not a valid RFC 5545 rule: {reason}"}) from None
    if not isinstance(parsed, rrule):
        raise ValidationError({"rrule": "give one RRULE line"})
    # rrulestr accepted it, so every part is NAME=value.
    parts = dict(part.upper().split("=", 1) for part in body.split(";") if part)
    if parts.get("FREQ") not in ALLOWED_FREQUENCIES:
        raise ValidationError({"rrule": "FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY"})
    if int(parts.get("INTERVAL", "1")) < 1:
        raise ValidationError({"rrule": "INTERVAL must be 1 or more"})
    return parsed


def _occurrences(rule: rrule, after: datetime, zone: ZoneInfo) -> Any:
    """Occurrences as aware UTC datetimes, from a little before ``after`` in wall time."""
    local_after = after.astimezone(zone).replace(tzinfo=None) - FOLD_SLACK
    for count, wall in enumerate(rule.xafter(local_after, inc=True)):
        if count >= SCAN_LIMIT:
            return
        yield wall.replace(tzinfo=zone).astimezone(ZoneInfo("UTC"))


def next_occurrence(
    rule: str, after: datetime, zone: str, *, dtstart: datetime, inclusive: bool = False
) -> datetime | None:
    """The first occurrence of ``rule`` (from ``dtstart``, in ``zone``'s wall time) strictly
    after ``after`` (or at it, with ``inclusive``), in UTC; None when the rule has ended."""
    tz = ZoneInfo(zone)
    parsed = parse_rule(rule, dtstart, zone)
    for occurrence in _occurrences(parsed, after, tz):
        if occurrence > after or (inclusive and occurrence == after):
            return occurrence
    return None


def _validate(row: RecurringTicket, zone: str) -> None:
    if row.lead_days > MAX_LEAD_DAYS:
        raise ValidationError({"lead_days": f"at most {MAX_LEAD_DAYS} days"})
    row.rrule = row.rrule.strip()
    parse_rule(row.rrule, row.dtstart, zone)


def _first_from(row: RecurringTicket, zone: str, now: datetime) -> datetime | None:
    """The first occurrence at or after ``now`` not yet created."""
    start = max(now, row.dtstart)
    if row.last_occurrence_at is not None and row.last_occurrence_at >= start:
        return next_occurrence(row.rrule, row.last_occurrence_at, zone, dtstart=row.dtstart)
    return next_occurrence(row.rrule, start, zone, dtstart=row.dtstart, inclusive=True)


def create_recurring(
    agreement: Agreement,
    *,
    subject: str,
    rrule: str,
    dtstart: datetime,
    now: datetime | None = None,
    **fields: Any,
) -> RecurringTicket:
    """Schedule a preventive ticket on ``agreement``: ``rrule`` from ``dtstart`` in the
    client's time zone, opened ``lead_days`` ahead of each occurrence from now on."""
    now = now or timezone.now()
    unknown = set(fields) - RULE_FIELDS
    if unknown:
        raise ValidationError({sorted(unknown)[0]: "unknown field"})
    row = RecurringTicket(
        client_id=agreement.client_id,
        agreement=agreement,
        subject=subject.strip(),
        rrule=rrule,
        dtstart=dtstart,
        created_at=now,
        **fields,
    )
    zone = agreement.client.timezone
    _validate(row, zone)
    row.next_occurrence_at = _first_from(row, zone, now) if row.active else None
    if row.active and row.next_occurrence_at is None:
        raise ValidationError({"rrule": "the rule has no occurrence from now on"})
    return save_validated(row)


def update_recurring(
    row: RecurringTicket, changes: Mapping[str, Any], *, now: datetime | None = None
) -> RecurringTicket:
    """Change a schedule. A new rule, start or reactivation recomputes the next occurrence from
    now, never repeating one already created."""
    now = now or timezone.now()
    unknown = set(changes) - RULE_FIELDS
    if unknown:
        raise ValidationError({sorted(unknown)[0]: "cannot be changed"})
    for name, value in changes.items():
        setattr(row, name, value.strip() if name in ("subject", "rrule") else value)
    zone = row.client.timezone
    _validate(row, zone)
    if not row.active:
        row.next_occurrence_at = None
    elif {"rrule", "dtstart", "active"} & set(changes) or row.next_occurrence_at is None:
        row.next_occurrence_at = _first_from(row, zone, now)
        if row.next_occurrence_at is None:
            raise ValidationError({"rrule": "the rule has no occurrence from now on"})
    return save_validated(row)


def deactivate_recurring(row: RecurringTicket) -> RecurringTicket:
    """Stop opening tickets for this schedule (it can be reactivated by an update)."""
    row.active = False
    row.next_occurrence_at = None
    return save_validated(row)


def _subject(row: RecurringTicket, occurrence: datetime, zone: str) -> str:
    day = f" ({occurrence.astimezone(ZoneInfo(zone)):%Y-%m-%d})"
    return row.subject[: 255 - len(day)] + day


def claim_occurrence(row: RecurringTicket, now: datetime) -> Ticket | None:
    """Open the ticket of ``row``'s next occurrence as ``row`` was read; None when another
    worker claimed it first (its ``next_occurrence_at`` moved) or it is not due."""
    occurrence = row.next_occurrence_at
    if occurrence is None or occurrence - timedelta(days=row.lead_days) > now:
        return None
    zone = row.client.timezone
    following = next_occurrence(row.rrule, occurrence, zone, dtstart=row.dtstart)
    with transaction.atomic():
        claimed = RecurringTicket.objects.filter(
            pk=row.pk, active=True, next_occurrence_at=occurrence
        ).update(next_occurrence_at=following, last_occurrence_at=occurrence)
        if claimed != 1:
            return None
        local = occurrence.astimezone(ZoneInfo(zone))
        description = f"Scheduled for {local:%Y-%m-%d %H:%M} ({zone}).\n\n{row.description}"
        ticket = open_ticket(
            row.client,
            subject=_subject(row, occurrence, zone),
            description=description.strip(),
            kind=row.kind,
            priority=row.priority,
            priority_reason="set by the recurring schedule",
            category=row.category,
            source=Source.RECURRING,
            at=now,
            external_ref=f"recurring-{row.pk}-{occurrence:%Y%m%dT%H%MZ}",
        )
    row.next_occurrence_at, row.last_occurrence_at = following, occurrence
    return ticket


def create_due_recurring(now: datetime) -> list[Ticket]:
    """Open every occurrence due by ``now`` (its time minus ``lead_days``), oldest first: one
    ticket per occurrence, missed ones included. Safe to run on several workers at once."""
    horizon = now + timedelta(days=MAX_LEAD_DAYS)
    candidates = (
        RecurringTicket.objects.filter(active=True, next_occurrence_at__lte=horizon)
        .select_related("client", "category")
        .order_by("next_occurrence_at", "pk")
    )
    opened: list[Ticket] = []
    for row in candidates:
        try:
            while (ticket := claim_occurrence(row, now)) is not None:
                opened.append(ticket)
        except Exception:
            # One broken schedule must not stop the others; its claim rolled back with the
            # failed ticket, so the next run tries the same occurrence again.
            log.exception("recurring ticket %s: could not open its occurrence", row.pk)
    return opened
