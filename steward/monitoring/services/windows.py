"""Maintenance windows: rows to the engine's windows, their verbs, and what is coming up.

A row is checked by building the engine's ``MaintenanceWindow`` from it, so a bad RRULE or time
zone is refused naming the part (``rrule.BYDAY: 'SUN' is not weekdays such as MO,WE``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from steward.monitoring.models import Asset, MaintenanceWindow
from steward.monitoring.rules import maintenance
from steward.monitoring.rules.maintenance import MaintenanceError
from steward.monitoring.rules.model import Occurrence
from steward.tenancy.models import Client

FIELD_NAMES = {"start": "starts_at", "end": "ends_at"}


def domain(
    row: MaintenanceWindow, asset_ids: Iterable[int] | None = None
) -> maintenance.MaintenanceWindow:
    """The engine's window for ``row`` (``asset_ids``: its assets, when already fetched)."""
    ids = asset_ids if asset_ids is not None else row.assets.values_list("pk", flat=True)
    recurring = bool(row.rrule)
    return maintenance.MaintenanceWindow(
        id=str(row.pk),
        start=row.starts_at,
        end=None if recurring else row.ends_at,
        rrule=row.rrule or None,
        duration_seconds=row.duration_seconds if recurring else 0,
        timezone=row.timezone,
        client=str(row.client_id),
        assets=frozenset(str(i) for i in ids),
        title=row.title,
    )


def windows_of(client_ids: Sequence[int]) -> list[maintenance.MaintenanceWindow]:
    """Every window of these clients, with their assets, in two queries."""
    rows = list(MaintenanceWindow.objects.filter(client_id__in=client_ids))
    links = MaintenanceWindow.assets.through.objects.filter(
        maintenancewindow_id__in=[r.pk for r in rows]
    ).values_list("maintenancewindow_id", "asset_id")
    assets: dict[int, list[int]] = {}
    for window_id, asset_id in links:
        assets.setdefault(window_id, []).append(asset_id)
    return [domain(row, assets.get(row.pk, [])) for row in rows]


def _check(row: MaintenanceWindow) -> None:
    row.full_clean()  # field by field first: a null or a wrong type never reaches the engine
    try:
        domain(row, [])
    except MaintenanceError as error:
        name = error.field.split(".", 1)[0]
        raise ValidationError({FIELD_NAMES.get(name, name): str(error)}) from None
    except (ValueError, OverflowError) as error:  # a first start dateutil cannot expand
        raise ValidationError({"starts_at": f"cannot be expanded: {error}"}) from None


def _save(row: MaintenanceWindow, assets: Sequence[Asset] | None) -> MaintenanceWindow:
    if assets is not None and any(a.client_id != row.client_id for a in assets):
        raise ValidationError({"asset_ids": "an asset belongs to another client"})
    _check(row)
    with transaction.atomic():
        row.save()
        if assets is not None:
            row.assets.set(assets)
    return row


def create_window(
    client: Client, assets: Sequence[Asset] = (), created_by: Any = None, **fields: Any
) -> MaintenanceWindow:
    return _save(MaintenanceWindow(client=client, created_by=created_by, **fields), list(assets))


def update_window(
    row: MaintenanceWindow, changes: Mapping[str, Any], assets: Sequence[Asset] | None = None
) -> MaintenanceWindow:
    for name, value in changes.items():
        setattr(row, name, value)
    return _save(row, None if assets is None else list(assets))


def delete_window(row: MaintenanceWindow) -> None:
    with transaction.atomic():
        row.delete()


def upcoming(
    rows: Iterable[MaintenanceWindow], now: datetime, horizon: timedelta
) -> list[tuple[MaintenanceWindow, Occurrence]]:
    """Occurrences in force at ``now`` or starting within ``horizon``, with their rows."""
    by_id = {str(row.pk): row for row in rows}
    client_ids = sorted({row.client_id for row in by_id.values()})
    found = maintenance.upcoming([w for w in windows_of(client_ids) if w.id in by_id], now, horizon)
    return [(by_id[o.window_id], o) for o in found]
