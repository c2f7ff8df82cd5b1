"""What a status page shows, gathered in a fixed number of queries: the client's services
(checks) with their current state and 90 days of uptime, open incidents with the MSP's public
updates, and maintenance shown to the client. ``as_json`` is the documented JSON shape
(docs/status-pages.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings

from steward.core.branding import Branding, branding
from steward.monitoring.measures.availability import STALE_INTERVALS
from steward.monitoring.models import Check, MaintenanceWindow
from steward.monitoring.rules import maintenance
from steward.monitoring.services import windows
from steward.portal.models import StatusPage
from steward.portal.status.bars import day_shares
from steward.portal.status.overall import (
    HEADLINES,
    LABELS,
    Overall,
    ServiceState,
    overall,
    service_state,
)
from steward.portal.status.uptime import (
    DayShare,
    last_days,
    total_percent,
)
from steward.servicedesk.choices import EventKind, TicketKind
from steward.servicedesk.models import Ticket, TicketEvent

HISTORY_DAYS = 90
MAINTENANCE_AHEAD = timedelta(days=14)
INCIDENT_LIMIT = 20
# The MSP's public words on a ticket: replies and resolution plans written by staff. A
# contact's own replies and the opening description (often an alert's text) stay off the page.
UPDATE_KINDS = (EventKind.REPLY, EventKind.PLAN)


@dataclass(frozen=True)
class Service:
    id: int
    name: str
    state: ServiceState
    since: datetime | None
    days: list[DayShare]

    @property
    def label(self) -> str:
        return LABELS[self.state]

    @property
    def uptime_percent(self) -> Decimal | None:
        return total_percent(self.days)


@dataclass(frozen=True)
class Update:
    at: datetime
    body: str


@dataclass(frozen=True)
class Incident:
    number: int
    subject: str
    status: str
    opened_at: datetime
    updates: list[Update]


@dataclass(frozen=True)
class Maintenance:
    title: str
    start: datetime
    end: datetime
    in_progress: bool


@dataclass(frozen=True)
class Snapshot:
    page: StatusPage
    client_name: str
    zone: ZoneInfo
    now: datetime
    overall: Overall
    services: list[Service]
    incidents: list[Incident]
    maintenance: list[Maintenance]
    days: list[date]
    public: bool = False
    notes: list[str] = field(default_factory=list)
    brand: Branding = field(default_factory=branding)

    @property
    def headline(self) -> str:
        return HEADLINES[self.overall]


def zone_of(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _shown_windows(page: StatusPage) -> list[MaintenanceWindow]:
    return list(MaintenanceWindow.objects.filter(client_id=page.client_id, shown_to_client=True))


def _services(
    page: StatusPage, days: list[date], zone: ZoneInfo, now: datetime, rows: list[MaintenanceWindow]
) -> list[Service]:
    hidden = page.hidden_checks.values_list("pk", flat=True)
    checks = list(
        Check.objects.filter(client_id=page.client_id, enabled=True)
        .exclude(pk__in=hidden)
        .select_related("current")
        .order_by("name", "pk")
    )
    shares = day_shares(checks, days, zone, now)
    shown_ids = {str(r.pk) for r in rows}
    engine_windows = [w for w in windows.windows_of([page.client_id]) if w.id in shown_ids]
    client = str(page.client_id)
    found = []
    for check in checks:
        current = getattr(check, "current", None)
        stale = (
            current is not None
            and current.last_result_at + timedelta(seconds=STALE_INTERVALS * check.interval_s) < now
        )
        asset = str(check.asset_id) if check.asset_id is not None else None
        in_window = bool(maintenance.active(engine_windows, client, asset, now))
        state = service_state(current.state if current else None, stale, in_window)
        found.append(
            Service(
                check.pk, check.name, state, current.since if current else None, shares[check.pk]
            )
        )
    return found


def _incidents(page: StatusPage, public: bool) -> list[Incident]:
    """Open incidents, newest first, with the MSP's public updates; the public page lists only
    those the MSP has spoken about (an untouched alert ticket is not news for the world)."""
    tickets = list(
        Ticket.objects.open()
        .filter(client_id=page.client_id, kind=TicketKind.INCIDENT)
        .order_by("-created_at", "-pk")[:INCIDENT_LIMIT]
    )
    events = TicketEvent.objects.filter(
        ticket__in=tickets,
        public=True,
        kind__in=UPDATE_KINDS,
        actor__isnull=False,
        actor_contact__isnull=True,
    ).order_by("-at", "-pk")
    updates: dict[int, list[Update]] = {t.pk: [] for t in tickets}
    for ticket_id, at, body in events.values_list("ticket_id", "at", "body"):
        updates[ticket_id].append(Update(at, body))
    return [
        Incident(t.pk, t.subject, t.get_status_display(), t.created_at, updates[t.pk])
        for t in tickets
        if updates[t.pk] or not public
    ]


def _maintenance(rows: list[MaintenanceWindow], now: datetime) -> list[Maintenance]:
    if not rows:
        return []
    return [
        Maintenance(row.title, o.start, o.end, o.covers(now))
        for row, o in windows.upcoming(rows, now, MAINTENANCE_AHEAD)
    ]


def _notes(services: list[Service], days: list[date]) -> list[str]:
    """Say why old days may be grey: results kept for fewer days, or a shorter history."""
    notes = []
    kept = int(getattr(settings, "STEWARD_MONITORING_RESULT_DAYS", HISTORY_DAYS))
    if kept < len(days):
        notes.append(f"Check results are kept for {kept} days: older days show no data.")
    first = min(
        (s.day for service in services for s in service.days if s.known_s > 0), default=None
    )
    if services and first is None:
        notes.append("No check results yet.")
    elif first is not None and first > days[0]:
        notes.append(f"History begins on {first.day} {first:%B %Y}: earlier days show no data.")
    return notes


def snapshot(page: StatusPage, now: datetime, *, public: bool) -> Snapshot:
    """Everything the page shows at ``now``; ``public`` for the secret URL's version."""
    client = page.client
    zone = zone_of(client.timezone)
    days = last_days(now, zone, HISTORY_DAYS)
    rows = _shown_windows(page)
    services = _services(page, days, zone, now, rows)
    upcoming = _maintenance(rows, now)
    headline = overall(
        [s.state for s in services], maintenance_now=any(m.in_progress for m in upcoming)
    )
    return Snapshot(
        page=page,
        client_name=client.name,
        zone=zone,
        now=now,
        overall=headline,
        services=services,
        incidents=_incidents(page, public),
        maintenance=upcoming,
        days=days,
        public=public,
        notes=_notes(services, days),
    )


def _percent(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def as_json(view: Snapshot) -> dict[str, Any]:
    """The page as JSON (docs/status-pages.md): times in ISO 8601 UTC, days as local dates."""
    return {
        "client": view.client_name,
        "headline": view.page.headline,
        "intro": view.page.intro,
        "generated_at": view.now.isoformat(),
        "time_zone": view.zone.key,
        "status": {"indicator": view.overall.value, "description": view.headline},
        "services": [
            {
                "id": s.id,
                "name": s.name,
                "state": s.state.value,
                "since": s.since.isoformat() if s.since else None,
                "uptime_percent": _percent(s.uptime_percent),
                "days": [
                    {
                        "date": d.day.isoformat(),
                        "up_percent": _percent(d.up_percent),
                        "down_minutes": d.down_minutes,
                        "level": d.level.value,
                    }
                    for d in s.days
                ],
            }
            for s in view.services
        ],
        "incidents": [
            {
                # Ticket numbers count every client's tickets: not for the public.
                "number": None if view.public else i.number,
                "subject": i.subject,
                "status": i.status,
                "opened_at": i.opened_at.isoformat(),
                "updates": [{"at": u.at.isoformat(), "body": u.body} for u in i.updates],
            }
            for i in view.incidents
        ],
        "maintenance": [
            {
                "title": m.title,
                "starts_at": m.start.isoformat(),
                "ends_at": m.end.isoformat(),
                "in_progress": m.in_progress,
            }
            for m in view.maintenance
        ],
        "notes": view.notes,
    }
