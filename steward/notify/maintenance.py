"""Maintenance notices: "scheduled" when a window shown to the client is created, "starting"
for each of its occurrences that begins within the lead time (one notice per occurrence)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings

from steward.monitoring.models import MaintenanceWindow
from steward.monitoring.rules.maintenance import occurrences
from steward.monitoring.rules.model import Occurrence
from steward.monitoring.services.windows import domain
from steward.notify.events import Notice, NoticeKind, publish
from steward.notify.rendering import local_time


def lead_time() -> timedelta:
    return timedelta(minutes=int(getattr(settings, "STEWARD_NOTIFY_MAINTENANCE_LEAD_MINUTES", 60)))


# How far back the job still announces an occurrence that began (a job run missed while
# the scheduler was down); beyond it, an announcement would be news of the past.
GRACE = timedelta(minutes=15)


def _url(window: MaintenanceWindow) -> str:
    return f"/monitoring/clients/{window.client_id}/maintenance/"


def scheduled_notice(window: MaintenanceWindow) -> Notice:
    zone = window.timezone or "UTC"
    return Notice(
        kind=NoticeKind.MAINTENANCE_SCHEDULED,
        client_id=window.client_id,
        at=window.created_at,
        key=f"maintenance_scheduled:{window.pk}",
        subject=window.title,
        url=_url(window),
        context={
            "window_id": window.pk,
            "starts_local": local_time(window.starts_at, zone),
            "ends_local": local_time(window.ends_at, zone) if window.ends_at else "",
            "recurrence": window.rrule,
        },
    )


def starting_notice(window: MaintenanceWindow, occurrence: Occurrence) -> Notice:
    zone = window.timezone or "UTC"
    return Notice(
        kind=NoticeKind.MAINTENANCE_STARTING,
        client_id=window.client_id,
        at=occurrence.start,
        key=f"maintenance_starting:{window.pk}:{occurrence.start.isoformat()}",
        subject=window.title,
        url=_url(window),
        context={
            "window_id": window.pk,
            "starts_local": local_time(occurrence.start, zone),
            "ends_local": local_time(occurrence.end, zone),
        },
    )


def starting_soon(
    windows: Iterable[MaintenanceWindow], now: datetime, lead: timedelta
) -> list[tuple[MaintenanceWindow, Occurrence]]:
    """Occurrences that start in [now - GRACE, now + lead] (an hour's lead: announced from
    exactly an hour before), in order."""
    found = []
    for window in windows:
        for occ in occurrences(domain(window), now - GRACE, now + lead + timedelta(seconds=1)):
            if now - GRACE <= occ.start <= now + lead:
                found.append((window, occ))
    return sorted(found, key=lambda pair: (pair[1].start, pair[0].pk))


def announce_starting(now: datetime) -> int:
    """Publish a notice per occurrence starting soon; returns how many were considered."""
    windows = MaintenanceWindow.objects.filter(shown_to_client=True).prefetch_related("assets")
    found = starting_soon(windows, now, lead_time())
    for window, occ in found:
        publish(starting_notice(window, occ))
    return len(found)
