"""A monitored Acme (and a little Globex) at a fixed instant, for the page tests.

Acme: fs01 (a server reporting an hour ago, its disk / filling from 80 % to 90 % over the last
day, a CPU series with three known points, an HTTP check that turned critical two hours ago
with its latency series) and an old laptop silent for three days, warranty and OS support
over. Globex: one web server.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine

from steward.monitoring import services
from steward.monitoring.models import Asset, Check, CheckResult, CheckState, Series
from steward.monitoring.services.samples import write_samples
from tests.conftest import World

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
NOW_MS = int(NOW.timestamp() * 1000)
HOUR_MS = 3_600_000


@dataclass
class Monitored:
    world: World
    fs01: Asset
    laptop: Asset
    portal: Check
    disk: Series
    cpu: Series
    globex_web: Asset


def series(
    client: Any,
    metric: str,
    *,
    asset: Asset | None = None,
    check: Check | None = None,
    **labels: str,
) -> Series:
    return Series.objects.create(
        client=client,
        asset=asset,
        from_check=check,
        metric=metric,
        labels=labels,
        key=f"{metric}-{asset.pk if asset else ''}-{check.pk if check else ''}-{labels}",
    )


def result(check: Check, at: datetime, state: str, summary: str = "") -> None:
    CheckResult.objects.create(of_check=check, at=at, state=state, summary=summary)
    CheckState.objects.update_or_create(
        of_check=check,
        defaults={"state": state, "since": at, "last_result_at": at, "summary": summary},
    )


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def monitored(world: World, frozen: Any) -> Monitored:
    acme = world.acme
    fs01 = services.create_asset(
        acme, name="fs01", kind="server", os="Debian", os_version="12", key="acme-fs01"
    )
    services.update_asset(fs01, {"last_seen_at": NOW - timedelta(hours=1)})
    laptop = services.create_asset(
        acme,
        name="old laptop",
        kind="laptop",
        warranty_ends_on=date(2025, 1, 1),
        os_eol_on=date(2020, 1, 1),
    )
    services.update_asset(laptop, {"last_seen_at": NOW - timedelta(days=3)})
    collector, _ = services.create_collector(acme, kind="collector", name="probe")
    portal = services.create_check(
        acme,
        collector=collector,
        asset=fs01,
        type="http",
        name="portal",
        params={"url": "https://portal.example.com/"},
    )
    result(portal, NOW - timedelta(hours=20), "ok")
    result(portal, NOW - timedelta(hours=2), "critical", "HTTP 503")
    disk = series(acme, "disk_used_percent", asset=fs01, mount="/")
    # Every 10 minutes for a day: 80 % a day ago, 90 % now (full in a day).
    write_samples(
        [(disk.pk, NOW_MS - i * 600_000, 90.0 - i * 600 / 86_400 * 10) for i in range(144)]
    )
    cpu = series(acme, "cpu_usage_percent", asset=fs01)
    write_samples(
        [
            (cpu.pk, NOW_MS - 24 * HOUR_MS, 0.0),
            (cpu.pk, NOW_MS - 12 * HOUR_MS, 50.0),
            (cpu.pk, NOW_MS - 6 * HOUR_MS, 100.0),
        ]
    )
    latency = series(acme, "http_response_seconds", check=portal)
    write_samples([(latency.pk, NOW_MS - i * 600_000, 0.25) for i in range(1, 10)])
    globex_web = services.create_asset(world.globex, name="Globex web", kind="server")
    return Monitored(world, fs01, laptop, portal, disk, cpu, globex_web)
