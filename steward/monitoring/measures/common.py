"""What the monitoring measures share: the measured span, percentages, links and evidence."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from functools import lru_cache

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from steward.obligations.periods import Period
from steward.obligations.registry import Evidence
from steward.tenancy.models import Client

EVIDENCE_LIMIT = 50


def measured_span(client: Client, period: Period) -> tuple[datetime, datetime]:
    """The period's bounds in the client's zone, its end cut at now while it runs (the part
    of a period that has not happened yet is neither up nor down)."""
    start, end = period.bounds(client.timezone)
    return start, min(end, timezone.now())


def percent(part: float, whole: float) -> Decimal | None:
    """``100 * part / whole`` with 4 decimal places; None when ``whole`` is 0."""
    if not whole:
        return None
    return (Decimal(100) * Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"))


def duration(seconds: float) -> str:
    """Seconds as "2 d 3 h 05 min" (minutes rounded down) for evidence labels."""
    minutes = int(seconds) // 60
    days, minutes = divmod(minutes, 24 * 60)
    text = f"{minutes // 60} h {minutes % 60:02d} min"
    return f"{days} d {text}" if days else text


@lru_cache(maxsize=4)
def _has_page(name: str) -> bool:
    try:
        reverse(name, args=[1])
    except NoReverseMatch:
        return False
    return True


def page(name: str, api: str, pk: int) -> str:
    """The object's page in the web UI (``monitoring:<name>``), or its API address while the
    UI has no such page."""
    if _has_page(f"monitoring:{name}"):
        return reverse(f"monitoring:{name}", args=[pk])
    return f"/api/v1/{api}/{pk}"


def asset_url(asset_id: int) -> str:
    return page("asset", "assets", asset_id)


def check_url(check_id: int) -> str:
    return page("check", "checks", check_id)


def capped(items: Iterable[Evidence], total: int) -> tuple[list[Evidence], str]:
    """The first ``EVIDENCE_LIMIT`` items and a note saying how many more were left out."""
    evidence = list(items)[:EVIDENCE_LIMIT]
    hidden = total - len(evidence)
    return evidence, (f"{hidden} more not listed." if hidden > 0 else "")
