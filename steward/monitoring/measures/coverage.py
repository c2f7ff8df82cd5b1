"""Monitoring coverage: the share of a client's managed assets that reported recently."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Exists, OuterRef

from steward.monitoring.choices import AssetKind
from steward.monitoring.measures.common import asset_url, capped, measured_span, percent
from steward.monitoring.models import Asset, AssetFact, CheckResult, Rollup, Sample, Series
from steward.obligations.choices import Category
from steward.obligations.periods import Period
from steward.obligations.registry import Evidence, MeasureResult, clients_only, measure

# Devices the MSP manages; printers, cloud resources and "other" are inventory, not promised
# monitoring.
MANAGED_KINDS = (
    AssetKind.SERVER,
    AssetKind.WORKSTATION,
    AssetKind.LAPTOP,
    AssetKind.NETWORK,
    AssetKind.FIREWALL,
    AssetKind.STORAGE,
    AssetKind.VIRTUAL,
)
# The asset model has no retirement date yet: a retired asset carries this tag.
RETIRED_TAG = "retired"


def managed_assets(client_id: int, at: datetime) -> list[Asset]:
    """The client's managed assets that existed at ``at``, by name."""
    assets = Asset.objects.filter(client_id=client_id, kind__in=MANAGED_KINDS, created_at__lt=at)
    # Tags are a JSON list; SQLite has no JSON containment lookup, and a client's assets are few.
    return [a for a in assets.order_by("name", "pk") if RETIRED_TAG not in (a.tags or [])]


def reporting_ids(asset_ids: list[int], since: datetime, until: datetime) -> set[int]:
    """Which of the assets sent anything in ``[since, until)``: a metric sample (or an hourly
    rollup overlapping the span, once samples have aged out), a check result, a fact or a
    report that moved ``last_seen_at``."""
    since_ms, until_ms = int(since.timestamp() * 1000), int(until.timestamp() * 1000)
    since_s, until_s = since_ms // 1000, -(-until_ms // 1000)
    samples = Sample.objects.filter(series=OuterRef("pk"), ts__gte=since_ms, ts__lt=until_ms)
    # A rollup hour [hour, hour + 1 h) overlaps the span.
    rollups = Rollup.objects.filter(
        series=OuterRef("pk"), hour__gt=since_s - 3600, hour__lt=until_s
    )
    series = Series.objects.filter(asset_id__in=asset_ids)
    found: set[int] = set()
    for query in (
        series.filter(Exists(samples)).values_list("asset_id", flat=True),
        series.filter(Exists(rollups)).values_list("asset_id", flat=True),
        CheckResult.objects.filter(
            of_check__asset_id__in=asset_ids, at__gte=since, at__lt=until
        ).values_list("of_check__asset_id", flat=True),
        AssetFact.objects.filter(asset_id__in=asset_ids, at__gte=since, at__lt=until).values_list(
            "asset_id", flat=True
        ),
        Asset.objects.filter(
            pk__in=asset_ids, last_seen_at__gte=since, last_seen_at__lt=until
        ).values_list("pk", flat=True),
    ):
        missing = set(asset_ids) - found
        if not missing:
            break
        found.update(i for i in query.distinct() if i is not None)
    return found


@measure(
    key="monitoring.coverage",
    name="Managed assets under active monitoring",
    unit="%",
    category=Category.PROACTIVE_MANAGEMENT,
    params={"window_hours": 24},
)
def coverage(counterparty: Any, period: Period, params: Mapping[str, Any]) -> MeasureResult:
    """Share of the client's managed assets (servers, workstations, laptops, network devices,
    firewalls, storage and virtual machines, not tagged retired) that sent data in the
    ``window_hours`` hours before the end of the period (before now, while it runs)."""
    if (refusal := clients_only(counterparty)) is not None:
        return refusal
    hours = params["window_hours"]
    if isinstance(hours, bool) or not isinstance(hours, int) or not 1 <= hours <= 24 * 31:
        return MeasureResult(None, note=f"window_hours must be 1 to 744 hours, not {hours!r}.")
    start, at = measured_span(counterparty, period)
    if at <= start:
        return MeasureResult(None, note=f"{period.label} has not started yet.")
    assets = managed_assets(counterparty.pk, at)
    if not assets:
        return MeasureResult(None, note="The client had no managed assets by then.")
    since = at - timedelta(hours=hours)
    reporting = reporting_ids([a.pk for a in assets], since, at)
    silent = [a for a in assets if a.pk not in reporting]
    # The silent assets are what counts against the promise: they come first.
    ordered = silent + [a for a in assets if a.pk in reporting]
    evidence, more = capped((_evidence(a, a.pk in reporting, hours) for a in ordered), len(ordered))
    return MeasureResult(
        percent(len(reporting), len(assets)),
        evidence=evidence,
        inputs={
            "since": since.isoformat(),
            "until": at.isoformat(),
            "managed": len(assets),
            "reporting": len(reporting),
            "silent_asset_ids": [a.pk for a in silent],
            "kinds": sorted(str(k) for k in MANAGED_KINDS),
        },
        note=more,
    )


def _evidence(asset: Asset, reporting: bool, hours: int) -> Evidence:
    state = "reporting" if reporting else f"no data in the {hours} h before the period end"
    return Evidence(
        f"{asset.name} ({asset.get_kind_display()}): {state}",
        url=asset_url(asset.pk),
        ref=f"monitoring.asset:{asset.pk}",
    )
