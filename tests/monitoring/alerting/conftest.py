"""The alert job driven through time: a server of Acme with series, checks and an agent, and
helpers that write data at an instant and run the real periodic job at another."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine

from steward.monitoring import services
from steward.monitoring.models import Alert, Asset, Series
from steward.monitoring.services.samples import write_samples
from steward.monitoring.tasks import evaluate_alert_rules
from steward.servicedesk.models import Ticket

T0 = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def run_job(moment: datetime) -> dict[str, int]:
    """The periodic job, as the worker runs it, with the clock at ``moment``."""
    with time_machine.travel(moment, tick=False):
        result: dict[str, int] = evaluate_alert_rules.call()
    return result


def add_series(asset: Asset, metric: str, **labels: str) -> Series:
    return Series.objects.create(
        client=asset.client,
        asset=asset,
        metric=metric,
        labels=labels,
        key=f"{metric}-{sorted(labels.items())}",
    )


def put(series: Series, moment: datetime, value: float) -> None:
    write_samples([(series.pk, int(moment.timestamp() * 1000), value)])


def tickets(client: Any) -> list[Ticket]:
    return list(Ticket.objects.filter(client=client).order_by("pk"))


def alert_of(rule_id: str) -> Alert:
    return Alert.objects.get(rule_id=rule_id)


@dataclass
class Site:
    """Acme's server ``web-01`` with the job's watermark set at T0 (rules start from now)."""

    world: Any
    server: Asset


@pytest.fixture
def site(world: Any) -> Site:
    server = services.create_asset(world.acme, name="web-01", kind="server", key="web-01")
    run_job(T0)
    return Site(world, server)
