"""Building alert incidents for the measure tests: an alert with its history, the ticket the
alert job would open for it, and client tickets about the same asset."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from steward.monitoring.models import Alert, AlertEvent, Asset
from steward.monitoring.services import create_asset
from steward.servicedesk.choices import LinkKind, Source, Status
from steward.servicedesk.models import Ticket
from steward.servicedesk.services.alerts import AlertNotice, open_from_alert
from steward.servicedesk.services.relations import link
from steward.servicedesk.services.tickets import change_status, open_ticket
from steward.tenancy.models import Client

_count = {"n": 0}


def asset(client: Client, name: str = "web-01") -> Asset:
    return create_asset(client, name=name, kind="server")


def alert(client: Client, on: Asset | None, rule_id: str = "cpu-high", **fields: Any) -> Alert:
    _count["n"] += 1
    return Alert.objects.create(
        client=client,
        asset=on,
        source="rule",
        rule_id=rule_id,
        key=f"{rule_id}:{_count['n']}",
        summary=fields.pop("summary", f"{rule_id} on {on.name if on else 'nothing'}"),
        **fields,
    )


def event(alert: Alert, kind: str, at: datetime, reason: str = "", told: bool = True) -> None:
    AlertEvent.objects.create(alert=alert, kind=kind, at=at, reason=reason, told=told)


def fire(
    alert: Alert, at: datetime, reason: str = "", pending_at: datetime | None = None
) -> Ticket:
    """The alert's history up to firing at ``at``, and the ticket the job opens then."""
    if pending_at is not None:
        event(alert, "pending", pending_at, told=False)
    event(alert, "firing", at, reason)
    Alert.objects.filter(pk=alert.pk).update(started_at=at)
    notice = AlertNotice(
        client=alert.client,
        reference=alert.reference,
        summary=alert.summary,
        at=at,
        priority="P3",
        asset_reference=f"asset:{alert.asset_id}" if alert.asset_id else "",
    )
    ticket, _new = open_from_alert(notice)
    return ticket


def resolve(ticket: Ticket, at: datetime) -> None:
    change_status(ticket, Status.RESOLVED, reason="fixed", at=at)


def client_ticket(
    client: Client, at: datetime, about: Asset | None = None, **fields: Any
) -> Ticket:
    """A ticket the client raised by email at ``at``, linked to the asset ``about``."""
    ticket = open_ticket(
        client, subject="The website is slow", source=Source.EMAIL, at=at, **fields
    )
    if about is not None:
        link(ticket, LinkKind.ASSET, reference=f"asset:{about.pk}", at=at)
    return ticket
