"""Where notices come from: signals of other apps, turned into ``publish`` calls.

* P1 opened: a ticket created with priority P1, or raised to P1 (once per ticket). Published
  after commit, when the alert that opened it is linked, so the notice's time is the
  detection time (the alert's start), or the ticket's creation without an alert.
* Outage detected / recovered: told alert transitions (firing, resolved) of severity
  critical or major (``monitoring.signals.alert_changed``, sent after commit).
* Maintenance scheduled: a window shown to the client is created.
* Renewal due: an agreement reminder is raised.
SLA warnings and breaches are published by ``servicedesk.escalation``.
"""

from __future__ import annotations

import logging
from datetime import datetime
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import Min
from django.db.models.signals import post_save
from django.dispatch import receiver

from steward.agreements.models import Reminder
from steward.monitoring.choices import AlertSeverity
from steward.monitoring.models import Alert, MaintenanceWindow
from steward.monitoring.signals import alert_changed
from steward.notify.events import Notice, NoticeKind, publish
from steward.notify.maintenance import scheduled_notice
from steward.servicedesk.choices import EventKind
from steward.servicedesk.models import Ticket, TicketEvent
from steward.servicedesk.signals import event_recorded

log = logging.getLogger(__name__)
P1 = "P1"
OUTAGE_SEVERITIES = frozenset({AlertSeverity.CRITICAL, AlertSeverity.MAJOR})


def becomes_p1(event: TicketEvent, ticket: Ticket) -> bool:
    if event.kind == EventKind.CREATED:
        return ticket.priority == P1
    return event.kind == EventKind.PRIORITY and event.to_value == P1 and event.from_value != P1


def detected_at(ticket: Ticket) -> datetime:
    """When the problem was detected: the earliest start of the ticket's alerts, or the
    ticket's creation."""
    started = Alert.objects.filter(ticket=ticket).aggregate(first=Min("started_at"))["first"]
    return min(started, ticket.created_at) if started else ticket.created_at


def p1_notice(ticket: Ticket) -> Notice:
    return Notice(
        kind=NoticeKind.P1_OPENED,
        client_id=ticket.client_id,
        at=detected_at(ticket),
        key=f"p1_opened:{ticket.pk}",
        subject=ticket.subject,
        url=f"/tickets/{ticket.pk}/",
        priority=P1,
        context={
            "ticket_id": ticket.pk,
            "ticket_number": ticket.number,
            "ticket_created_at": ticket.created_at.isoformat(),
            "assignee_id": ticket.assignee_id,
        },
    )


def publish_p1(ticket_id: int) -> None:
    ticket = Ticket.objects.filter(pk=ticket_id).first()
    if ticket is not None:
        publish(p1_notice(ticket))


@receiver(event_recorded, dispatch_uid="notify.p1_opened")
def on_ticket_event(sender: Any, ticket: Ticket, event: TicketEvent, **kwargs: Any) -> None:
    if becomes_p1(event, ticket):
        transaction.on_commit(partial(publish_p1, ticket.pk), robust=True)


def outage_notice(alert: Alert, kind: str, at: datetime) -> Notice:
    detected = kind == "fired"
    return Notice(
        kind=NoticeKind.OUTAGE_DETECTED if detected else NoticeKind.OUTAGE_RECOVERED,
        client_id=alert.client_id,
        at=at,
        key=f"outage_{'detected' if detected else 'recovered'}:{alert.pk}:{at.isoformat()}",
        subject=alert.summary or str(alert),
        url=f"/monitoring/alerts/{alert.pk}/",
        context={"alert_id": alert.pk, "severity": alert.severity},
    )


@receiver(alert_changed, dispatch_uid="notify.outage")
def on_alert_changed(sender: Any, alert_id: int, kind: str, at: datetime, **kwargs: Any) -> None:
    alert = Alert.objects.filter(pk=alert_id).first()
    if alert is not None and alert.severity in OUTAGE_SEVERITIES:
        publish(outage_notice(alert, kind, at))


@receiver(post_save, sender=MaintenanceWindow, dispatch_uid="notify.maintenance_scheduled")
def on_window_saved(sender: Any, instance: MaintenanceWindow, created: bool, **kwargs: Any) -> None:
    if created and instance.shown_to_client and not kwargs.get("raw"):
        publish(scheduled_notice(instance))


def renewal_notice(reminder: Reminder) -> Notice:
    what = str(reminder.subject) if reminder.subject is not None else reminder.get_kind_display()
    return Notice(
        kind=NoticeKind.RENEWAL_DUE,
        client_id=reminder.client_id,
        at=reminder.created_at,
        key=f"renewal_due:{reminder.pk}",
        subject=f"{reminder.get_kind_display()}: {what} on {reminder.due_date:%Y-%m-%d}",
        body=f"{reminder.threshold} days before the deadline ({reminder.due_date:%Y-%m-%d}).",
        url="/agreements/",
        context={
            "reminder_id": reminder.pk,
            "due_date": reminder.due_date.isoformat(),
            "threshold": reminder.threshold,
        },
    )


@receiver(post_save, sender=Reminder, dispatch_uid="notify.renewal_due")
def on_reminder_saved(sender: Any, instance: Reminder, created: bool, **kwargs: Any) -> None:
    if created and not kwargs.get("raw"):
        publish(renewal_notice(instance))
