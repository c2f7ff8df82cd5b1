"""How to make one Acme object of each monitoring model, for the generated isolation walks
(tests/test_isolation.py merges these into its ACME_BUILDERS). Names carry "Acme", so the
leak detector fires on any body that shows them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models

from steward.monitoring import services
from steward.monitoring.models import Asset, Check, Collector, Series
from steward.monitoring.services.samples import write_samples


def acme_asset(world: Any) -> Asset:
    found = Asset.objects.filter(client=world.acme).order_by("pk").first()
    return found or services.create_asset(
        world.acme, name="Acme file server", hostname="fs01.acme.example", key="acme-fs01"
    )


def acme_collector(world: Any) -> Collector:
    found = Collector.objects.filter(client=world.acme).order_by("pk").first()
    if found is not None:
        return found
    collector, _token = services.create_collector(world.acme, kind="collector", name="Acme probe")
    return collector


def acme_check(world: Any) -> Check:
    found = Check.objects.filter(client=world.acme).order_by("pk").first()
    return found or services.create_check(
        world.acme,
        collector=acme_collector(world),
        asset=acme_asset(world),
        type="snmp",
        name="Acme core switch",
        params={"host": "10.0.0.2", "community": "acme-secret"},
    )


def acme_series(world: Any) -> Series:
    found = Series.objects.filter(client=world.acme).order_by("pk").first()
    if found is not None:
        return found
    series = Series.objects.create(
        client=world.acme,
        asset=acme_asset(world),
        metric="acme_disk_used_percent",
        labels={"mount": "/acme"},
        key="acme-series",
    )
    write_samples([(series.pk, 1_796_039_990_000, 71.5)])
    return series


MONITORING_BUILDERS: dict[str, Callable[[Any], models.Model]] = {
    "monitoring.asset": acme_asset,
    "monitoring.collector": acme_collector,
    "monitoring.check": acme_check,
    "monitoring.series": acme_series,
}
