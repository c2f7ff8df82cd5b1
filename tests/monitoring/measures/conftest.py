"""Shared pieces of the monitoring measure tests: running a measure at a fixed instant, and
Acme's probe to hang checks on."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import time_machine

from steward.monitoring.models import Check, Collector
from steward.monitoring.services import create_check, create_collector
from steward.obligations.periods import Period
from steward.obligations.registry import MeasureResult, registry
from steward.tenancy.models import Client

NOVEMBER = Period.month(2026, 11)
# November in Berlin: 2026-10-31 23:00 UTC to 2026-11-30 23:00 UTC.
NOV_START = datetime(2026, 10, 31, 23, tzinfo=UTC)
NOV_END = datetime(2026, 11, 30, 23, tzinfo=UTC)
DEC_2 = datetime(2026, 12, 2, 12, tzinfo=UTC)  # November is closed


def run(
    key: str, client: Any, period: Period = NOVEMBER, now: datetime = DEC_2, **params: Any
) -> MeasureResult:
    item = registry.get(key)
    with time_machine.travel(now, tick=False):
        return item(client, period, item.resolve_params(params))


def probe(client: Client) -> Collector:
    found = Collector.objects.filter(client=client, kind="collector").first()
    return found or create_collector(client, kind="collector", name=f"{client.code} probe")[0]


def tcp_check(client: Client, name: str = "mail", interval_s: int = 600, **fields: Any) -> Check:
    return create_check(
        client,
        collector=probe(client),
        type="tcp",
        name=name,
        params={"host": "mail.example.com", "port": 25},
        interval_s=interval_s,
        timeout_s=5,
        **fields,
    )
