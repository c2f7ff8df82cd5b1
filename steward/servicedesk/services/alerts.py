"""Tickets from monitoring alerts: one open incident per alert, a note when it fires again, and
on recovery a note and, when nobody has worked the ticket yet, its resolution.

Monitoring calls these verbs with an ``AlertNotice``; the service desk knows alerts and assets
only by reference (``TicketLink`` of kind alert and asset), so apps depend downward only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from steward.servicedesk.choices import EventKind, LinkKind, Source, Status, TicketKind
from steward.servicedesk.models import Ticket, TicketEvent
from steward.servicedesk.models.tickets import OPEN_Q
from steward.servicedesk.services.relations import link
from steward.servicedesk.services.tickets import change_status, open_ticket, reply
from steward.tenancy.models import Client, Site

# Statuses in which an alert's ticket is still untouched: a person moving it on is working it.
UNTOUCHED = (Status.NEW, Status.ASSIGNED)
SUBJECT_MAX = 200


@dataclass(frozen=True)
class AlertNotice:
    """What monitoring tells the service desk about one alert."""

    client: Client
    reference: str  # the alert, e.g. "alert:42": one open ticket per reference
    summary: str  # "Disk / on web-01 will be full in about 5 days"
    at: datetime
    priority: str | None = None  # P1..P4 from the alert's severity; None: the matrix
    description: str = ""
    asset_reference: str = ""  # e.g. "asset:7"
    site: Site | None = None


def ticket_for_alert(client: Client, reference: str) -> Ticket | None:
    """The open ticket of the alert ``reference``, if there is one."""
    return (
        Ticket.objects.filter(OPEN_Q, client=client, links__kind=LinkKind.ALERT)
        .filter(links__reference=reference)
        .order_by("-created_at", "-pk")
        .first()
    )


def open_from_alert(notice: AlertNotice) -> tuple[Ticket, bool]:
    """Open an incident for a firing alert, linked to the alert and its asset; when the alert
    already has an open ticket, add an internal note to it instead. Returns the ticket and
    whether it is new."""
    with transaction.atomic():
        ticket = ticket_for_alert(notice.client, notice.reference)
        if ticket is not None:
            reply(ticket, f"Alert firing again: {notice.summary}", public=False, at=notice.at)
            return ticket, False
        ticket = open_ticket(
            notice.client,
            subject=notice.summary[:SUBJECT_MAX],
            description=notice.description,
            kind=TicketKind.INCIDENT,
            priority=notice.priority,
            priority_reason="from the alert's severity" if notice.priority else "",
            site=notice.site,
            source=Source.ALERT,
            at=notice.at,
        )
        link(ticket, LinkKind.ALERT, reference=notice.reference, at=notice.at)
        if notice.asset_reference:
            link(ticket, LinkKind.ASSET, reference=notice.asset_reference, at=notice.at)
        return ticket, True


def resolve_from_alert(notice: AlertNotice, *, auto_resolve: bool = True) -> Ticket | None:
    """The alert recovered: note it on its open ticket, and resolve the ticket when
    ``auto_resolve`` and nobody has worked it (still new or assigned, no reply or note by a
    person, no time booked). Returns the ticket, or None when the alert has no open ticket."""
    with transaction.atomic():
        ticket = ticket_for_alert(notice.client, notice.reference)
        if ticket is None:
            return None
        reply(ticket, f"Alert recovered: {notice.summary}", public=False, at=notice.at)
        if auto_resolve and not worked(ticket):
            change_status(ticket, Status.RESOLVED, reason="the alert recovered", at=notice.at)
        return ticket


def worked(ticket: Ticket) -> bool:
    """Whether a person has worked the ticket: moved it past assigned, written on it, or
    booked time on it."""
    if ticket.status not in UNTOUCHED:
        return True
    by_people = TicketEvent.objects.filter(
        ticket=ticket, kind__in=(EventKind.REPLY, EventKind.NOTE, EventKind.PLAN)
    ).exclude(actor=None, actor_contact=None)
    return by_people.exists() or ticket.time_entries.exists()
