"""Alerts and maintenance windows as the overview pages show them (read-only queries).

Maintenance windows not meant for clients (``shown_to_client`` off) are the MSP's own: client
contacts never see them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, QuerySet

from steward.monitoring.choices import AlertPhase
from steward.monitoring.models import Alert, MaintenanceWindow
from steward.monitoring.rules.model import Occurrence
from steward.monitoring.services import windows
from steward.tenancy.models import Client
from steward.tenancy.scoping import is_active_staff

SEVERITY_ORDER = {"critical": 0, "major": 1, "minor": 2, "warning": 3, "info": 4}


def firing_counts(user: Any, client_ids: Sequence[int]) -> dict[int, int]:
    """Firing alerts per client."""
    rows = (
        Alert.objects.visible_to(user)
        .filter(client_id__in=list(client_ids), phase=AlertPhase.FIRING)
        .values("client_id")
        .annotate(n=Count("pk"))
        .values_list("client_id", "n")
        .order_by()
    )
    return dict(rows)


def firing_for_client(user: Any, client: Client) -> list[Alert]:
    rows = Alert.objects.visible_to(user).filter(client=client, phase=AlertPhase.FIRING)
    found = list(rows.select_related("asset"))
    found.sort(key=lambda a: (SEVERITY_ORDER.get(a.severity, 9), a.firing_since or a.updated_at))
    return found


def visible_windows(user: Any) -> QuerySet[MaintenanceWindow]:
    rows = MaintenanceWindow.objects.visible_to(user)
    return rows if is_active_staff(user) else rows.filter(shown_to_client=True)


def upcoming_for_client(
    user: Any, client: Client, now: datetime, ahead: timedelta
) -> list[tuple[MaintenanceWindow, Occurrence]]:
    """Occurrences in force now or starting within ``ahead``, with their windows."""
    rows = list(visible_windows(user).filter(client=client))
    return windows.upcoming(rows, now, ahead) if rows else []
