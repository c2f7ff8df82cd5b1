"""monitoring.coverage: which managed assets sent data in the 24 h before the period's end,
tested at the exact boundary instants of each kind of data."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from steward.monitoring.measures.common import asset_url
from steward.monitoring.models import Asset, AssetFact, CheckResult, Rollup, Series
from steward.monitoring.services import create_asset
from steward.monitoring.services.samples import write_samples
from steward.obligations.models import VendorProgram
from steward.obligations.registry import registry
from tests.conftest import World
from tests.monitoring.measures.conftest import NOV_END, run, tcp_check

KEY = "monitoring.coverage"
SINCE = NOV_END - timedelta(hours=24)
MS = timedelta(milliseconds=1)


def server(world: World, name: str = "srv", **fields: Any) -> Asset:
    fields.setdefault("created_at", NOV_END - timedelta(days=60))
    return create_asset(world.acme, name=name, kind=fields.pop("kind", "server"), **fields)


def series_of(asset: Asset) -> Series:
    return Series.objects.create(
        client=asset.client, asset=asset, metric="cpu_usage_percent", key=f"cpu-{asset.pk}"
    )


def sample_at(asset: Asset, at: datetime) -> None:
    write_samples([(series_of(asset).pk, int(at.timestamp() * 1000), 12.5)])


def rollup_at(asset: Asset, at: datetime) -> None:
    Rollup.objects.create(
        series=series_of(asset), hour=int(at.timestamp()), min=1, max=2, sum=3, count=2
    )


def result_at(asset: Asset, at: datetime) -> None:
    check = tcp_check(asset.client, asset=asset)
    CheckResult.objects.create(of_check=check, at=at, state="ok")


def fact_at(asset: Asset, at: datetime) -> None:
    AssetFact.objects.create(asset=asset, name="os.name", value="Debian", at=at)


def seen_at(asset: Asset, at: datetime) -> None:
    Asset.objects.filter(pk=asset.pk).update(last_seen_at=at)


WRITERS: dict[str, Callable[[Asset, datetime], None]] = {
    "sample": sample_at,
    "result": result_at,
    "fact": fact_at,
    "last_seen": seen_at,
}
# Each source at the first instant of the window, its last, and just outside on either side.
EDGES = [
    (SINCE, True),
    (NOV_END - MS, True),
    (NOV_END, False),
    (SINCE - MS, False),
]


@pytest.mark.parametrize("source", sorted(WRITERS))
@pytest.mark.parametrize(("at", "counts"), EDGES)
def test_data_counts_only_inside_the_window(
    world: World, source: str, at: datetime, counts: bool
) -> None:
    WRITERS[source](server(world), at)
    result = run(KEY, world.acme)
    assert result.value == (Decimal(100) if counts else Decimal(0))
    assert result.inputs["since"] == SINCE.isoformat()
    assert result.inputs["until"] == NOV_END.isoformat()


@pytest.mark.parametrize(
    ("hour", "counts"),
    [
        (SINCE - timedelta(hours=1), False),  # covers [since - 1 h, since)
        (SINCE, True),
        (NOV_END - timedelta(hours=1), True),
        (NOV_END, False),
    ],
)
def test_an_hourly_rollup_counts_when_its_hour_overlaps(
    world: World, hour: datetime, counts: bool
) -> None:
    rollup_at(server(world), hour)
    assert run(KEY, world.acme).value == (Decimal(100) if counts else Decimal(0))


def test_silent_assets_come_first_in_the_evidence(world: World) -> None:
    quiet = server(world, "a-quiet")
    busy = server(world, "b-busy")
    sample_at(busy, NOV_END - timedelta(hours=1))
    result = run(KEY, world.acme)
    assert result.value == Decimal("50.0000")
    assert [e.ref for e in result.evidence] == [
        f"monitoring.asset:{quiet.pk}",
        f"monitoring.asset:{busy.pk}",
    ]
    assert "no data" in result.evidence[0].label
    assert result.evidence[0].url == asset_url(quiet.pk)  # its page, or its API address
    assert result.inputs["silent_asset_ids"] == [quiet.pk]
    assert (result.inputs["managed"], result.inputs["reporting"]) == (2, 1)


def test_only_managed_assets_that_existed_and_are_not_retired_count(world: World) -> None:
    counted = server(world, "counted")
    server(world, "printer", kind="printer")
    server(world, "cloud", kind="cloud")
    server(world, "old", tags=["retired"])
    server(world, "later", created_at=NOV_END)  # created at the end: not yet there
    create_asset(world.globex, name="Globex server", kind="server")
    result = run(KEY, world.acme)
    assert result.inputs["managed"] == 1
    assert [e.ref for e in result.evidence] == [f"monitoring.asset:{counted.pk}"]


def test_a_running_period_is_measured_up_to_now(world: World) -> None:
    asset = server(world)
    now = NOV_END - timedelta(days=10)
    sample_at(asset, now - timedelta(hours=23))
    result = run(KEY, world.acme, now=now)
    assert result.value == Decimal(100)
    assert result.inputs["until"] == now.isoformat()
    # The window is a parameter.
    assert run(KEY, world.acme, now=now, window_hours=12).value == Decimal(0)


def test_no_data_answers_say_why(world: World) -> None:
    assert run(KEY, world.acme).note == "The client had no managed assets by then."
    program = VendorProgram.objects.create(name="Partner", vendor="Vendor")
    assert run(KEY, program).note == "This measure applies to clients only."
    server(world)
    assert "window_hours" in run(KEY, world.acme, window_hours=0).note
    assert run(KEY, world.acme, now=NOV_END - timedelta(days=40)).note.endswith("not started yet.")


def test_it_replaces_the_fallback_of_the_default_set() -> None:
    item = registry.get(KEY)
    assert not item.fallback
    assert item.fn.__module__ == "steward.monitoring.measures.coverage"
