"""Incidents born of alerts: the tickets monitoring opened (source ``alert``, linked to
``alert:<id>``), when the problem behind each began, and what the client said meanwhile.

The service desk knows alerts and assets only by reference (``TicketLink``); this module turns
those references back into rows, in a few queries per client and period.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from steward.monitoring.choices import AlertEventKind, CheckStatus
from steward.monitoring.models import Alert, AlertEvent, CheckResult
from steward.servicedesk.choices import EventKind, LinkKind, Source, Status
from steward.servicedesk.models import Ticket, TicketEvent, TicketLink
from steward.tenancy.models import Client

# Channels through which a client tells the MSP about a problem.
CLIENT_SOURCES = (Source.PORTAL, Source.EMAIL, Source.PHONE)
DONE = (Status.RESOLVED, Status.CLOSED)
_REFERENCE = re.compile(r"(alert|asset):([1-9][0-9]{0,17})")


def resolution_times(tickets: Iterable[Ticket]) -> dict[int, datetime]:
    """When each resolved (or closed) ticket was resolved: its SLA column when it has one, else
    the timeline's last move into resolved or closed (tickets without an SLA policy keep the
    column empty). Open tickets are absent."""
    done = [t for t in tickets if t.status in DONE]
    found = {t.pk: t.resolved_at for t in done if t.resolved_at is not None}
    missing = [t.pk for t in done if t.resolved_at is None]
    if missing:
        moves = TicketEvent.objects.filter(
            ticket_id__in=missing, kind=EventKind.STATUS, to_value__in=DONE
        ).exclude(from_value__in=DONE)
        for ticket_id, at in moves.order_by("at", "pk").values_list("ticket_id", "at"):
            found[ticket_id] = at  # the latest move wins: a reopened ticket's last resolution
    return found


def reference_id(text: str, kind: str) -> int | None:
    """The id in a link reference such as ``alert:42`` (``kind`` "alert"), else None."""
    found = _REFERENCE.fullmatch(text.strip()) if isinstance(text, str) else None
    return int(found[2]) if found is not None and found[1] == kind else None


@dataclass
class Incident:
    """An alert-born ticket with its alert (None when the alert row is gone) and asset."""

    ticket: Ticket
    alert: Alert | None
    asset_id: int | None
    resolved_at: datetime | None = None
    began_at: datetime | None = None  # when the problem began, as far as the data tells


def alert_incidents(client: Client, start: datetime, end: datetime) -> list[Incident]:
    """The client's tickets opened from alerts in ``[start, end)`` (merged duplicates left
    out), oldest first, each with its alert and the asset it was linked to."""
    tickets = list(
        Ticket.objects.filter(
            client=client,
            source=Source.ALERT,
            merged_into=None,
            created_at__gte=start,
            created_at__lt=end,
            links__kind=LinkKind.ALERT,
        )
        .distinct()
        .order_by("created_at", "pk")
    )
    links = TicketLink.objects.filter(
        ticket__in=tickets, kind__in=(LinkKind.ALERT, LinkKind.ASSET)
    ).order_by("pk")
    alert_of: dict[int, int] = {}
    asset_of: dict[int, int] = {}
    for link in links:
        found = reference_id(link.reference, link.kind)
        if found is not None:
            (alert_of if link.kind == LinkKind.ALERT else asset_of).setdefault(
                link.ticket_id, found
            )
    alerts = Alert.objects.filter(client=client, pk__in=set(alert_of.values())).in_bulk()
    resolved = resolution_times(tickets)
    incidents = []
    for ticket in tickets:
        alert = alerts.get(alert_of.get(ticket.pk, 0))
        asset = asset_of.get(ticket.pk) or (alert.asset_id if alert is not None else None)
        incidents.append(Incident(ticket, alert, asset, resolved.get(ticket.pk)))
    return incidents


def set_beginnings(incidents: list[Incident]) -> None:
    """When each incident's problem began:

    1. the firing event that opened the ticket (the last one at or before its creation);
    2. the pending event right before it, when the rule waited (``for``) before firing;
    3. for a check's alert, the first failing result after the last ok one, when earlier.

    Incidents whose alert has no history keep ``began_at`` None.
    """
    with_alert = [i for i in incidents if i.alert is not None]
    if not with_alert:
        return
    latest = max(i.ticket.created_at for i in with_alert)
    events: dict[int, list[AlertEvent]] = defaultdict(list)
    for event in AlertEvent.objects.filter(
        alert_id__in={i.alert.pk for i in with_alert if i.alert is not None},
        kind__in=(AlertEventKind.PENDING, AlertEventKind.FIRING, AlertEventKind.RESOLVED,
                  AlertEventKind.CANCELLED),
        at__lte=latest,
    ).order_by("at", "pk"):  # fmt: skip
        events[event.alert_id].append(event)
    for incident in with_alert:
        assert incident.alert is not None
        began = _from_events(events[incident.alert.pk], incident.ticket.created_at)
        if incident.alert.from_check_id is not None and began is not None:
            began = min(began, _first_failure(incident.alert.from_check_id, began) or began)
        incident.began_at = began


def _from_events(events: list[AlertEvent], opened: datetime) -> datetime | None:
    before = [e for e in events if e.at <= opened]
    firing = next((i for i in range(len(before) - 1, -1, -1)
                   if before[i].kind == AlertEventKind.FIRING), None)  # fmt: skip
    if firing is None:
        return None
    if firing > 0 and before[firing - 1].kind == AlertEventKind.PENDING:
        return before[firing - 1].at
    return before[firing].at


def _first_failure(check_id: int, fired: datetime) -> datetime | None:
    """The first not-ok result of the run of failures that ended in ``fired``."""
    results = CheckResult.objects.filter(of_check_id=check_id, at__lte=fired)
    last_ok = (
        results.filter(state=CheckStatus.OK).order_by("-at").values_list("at", flat=True).first()
    )
    failing = results.exclude(state=CheckStatus.OK)
    if last_ok is not None:
        failing = failing.filter(at__gt=last_ok)
    return failing.order_by("at").values_list("at", flat=True).first()


def client_reports(
    client: Client, incidents: Iterable[Incident], until: datetime
) -> dict[int, Ticket]:
    """Per incident (by ticket id), the first ticket the client raised about the same problem
    between its beginning and its resolution (or ``until``): a ticket linked to the same
    asset, merged into the incident's ticket, or linked to it."""
    found: dict[int, Ticket] = {}
    for incident in incidents:
        began = incident.began_at or incident.ticket.created_at
        ended = incident.resolved_at or until
        about = Q(merged_into=incident.ticket) | Q(links__target=incident.ticket)
        about |= Q(linked_from__ticket=incident.ticket)
        if incident.asset_id is not None:
            about |= Q(links__kind=LinkKind.ASSET, links__reference=f"asset:{incident.asset_id}")
        first = (
            Ticket.objects.filter(about, client=client, source__in=CLIENT_SOURCES)
            .filter(created_at__gte=began, created_at__lt=min(ended, until))
            .exclude(pk=incident.ticket.pk)
            .order_by("created_at", "pk")
            .first()
        )
        if first is not None:
            found[incident.ticket.pk] = first
    return found
