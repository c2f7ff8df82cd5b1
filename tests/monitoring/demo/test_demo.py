"""The monitoring demo seeder on a small scale: a fleet per client with three months of check
history and rollups, two days of samples, and data the measures and the forecast rule use."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from importlib import import_module
from typing import Any

import pytest
import time_machine

from steward.core.audit import verify_chain
from steward.core.demo import DemoContext, registered_seeders, run_seeders
from steward.monitoring.demo import HISTORY_MONTHS, history_start, seed_client
from steward.monitoring.models import (
    Alert,
    AlertEvent,
    Asset,
    AssetFact,
    Check,
    CheckResult,
    CheckState,
    Collector,
    Rollup,
    Sample,
    Series,
)
from steward.monitoring.rules.defaults import DISK_FORECAST
from steward.monitoring.rules.evaluate import evaluate
from steward.monitoring.rules.model import Phase, SeriesWindow
from steward.obligations.periods import Period
from steward.obligations.registry import registry
from steward.servicedesk.models import Ticket
from steward.tenancy.models import Client

NOW = datetime(2026, 11, 16, 10, 30, tzinfo=UTC)
SEEDERS = ("tenancy", "agreements", "monitoring")


@pytest.fixture
def demo(db: None) -> Iterator[DemoContext]:
    for app in SEEDERS:
        import_module(f"steward.{app}.demo")
    chosen = [s for s in registered_seeders() if s.name in SEEDERS]
    ctx = DemoContext(seed=7, now=NOW, months=3, client_count=3)
    with time_machine.travel(NOW, tick=False):
        run_seeders(ctx, chosen)
        yield ctx


def test_runs_after_the_service_desk_and_before_obligations() -> None:
    for app in ("servicedesk", "monitoring", "obligations"):
        import_module(f"steward.{app}.demo")
    order = {s.name: s.order for s in registered_seeders()}
    assert order["servicedesk"] < order["monitoring"] < order["obligations"]


def test_every_client_gets_a_fleet_with_agents_a_probe_and_checks(demo: DemoContext) -> None:
    for client in Client.objects.all():
        kinds = Counter(Asset.objects.filter(client=client).values_list("kind", flat=True))
        assert kinds["server"] >= 1, client
        assert kinds["workstation"] >= 2, client
        assert kinds["firewall"] == 1, client
        assert kinds["network"] >= 1, client
        types = set(Check.objects.filter(client=client).values_list("type", flat=True))
        assert types == {"http", "tls", "tcp", "ping", "snmp"}
        agents = Collector.objects.filter(client=client, kind="agent")
        assert agents.count() == kinds["server"] + kinds["workstation"]
        assert not agents.filter(asset=None).exists()
    assert AssetFact.objects.filter(name="hardware.cpu_count").exists()
    assert CheckState.objects.count() == Check.objects.count()
    assert verify_chain() is None


def test_three_months_of_history_and_two_days_of_samples(demo: DemoContext) -> None:
    earliest = NOW - timedelta(days=30 * HISTORY_MONTHS)
    for client in Client.objects.all():
        # From three months back, or from onboarding when that was later, to now.
        start = history_start(demo, client)
        assert earliest.replace(minute=0) <= start
        first = CheckResult.objects.filter(of_check__client=client).order_by("at").first()
        assert first is not None
        assert start <= first.at < start + timedelta(minutes=1)
        hours = Rollup.objects.filter(series__client=client).values_list("hour", flat=True)
        assert hours.order_by("hour").first() == int(start.timestamp())
        assert hours.order_by("hour").last() == int(NOW.replace(minute=0).timestamp())
    assert not CheckResult.objects.filter(at__gt=NOW).exists()
    assert CheckResult.objects.filter(state="critical").exists()
    raw = Sample.objects.order_by("ts").values_list("ts", flat=True)
    two_days = int((NOW.replace(minute=0) - timedelta(days=2)).timestamp() * 1000)
    assert raw.first() == two_days
    assert (raw.last() or 0) < NOW.timestamp() * 1000
    # Rollups of the raw span agree with its samples.
    series = Series.objects.filter(metric="cpu_usage_percent").first()
    assert series is not None
    hour = two_days // 1000 + 3600
    rollup = Rollup.objects.get(series=series, hour=hour)
    values = Sample.objects.filter(series=series, ts__gte=hour * 1000, ts__lt=(hour + 3600) * 1000)
    assert rollup.count == values.count() == 12
    assert rollup.sum == pytest.approx(sum(v.value for v in values))


def measure(key: str, client: Client, **params: Any) -> Any:
    item = registry.get(key)
    return item(client, Period.month(2026, 10), item.resolve_params(params))


def test_the_data_feeds_the_measures(demo: DemoContext) -> None:
    with time_machine.travel(NOW, tick=False):
        for client in Client.objects.all():
            coverage = measure("monitoring.coverage", client)
            assert coverage.value is not None
            assert 0 <= coverage.value <= 100
            website = Check.objects.get(client=client, type="http")
            availability = measure("monitoring.service_availability", client, check_id=website.pk)
            outages = CheckResult.objects.filter(
                of_check=website, state="critical", at__gte=datetime(2026, 9, 30, tzinfo=UTC)
            )
            if outages.filter(at__lt=datetime(2026, 11, 1, tzinfo=UTC)).exists():
                assert availability.value < Decimal(100)
        overall = [
            measure("monitoring.service_availability", c).value for c in Client.objects.all()
        ]
        assert all(v is not None and 95 < v <= 100 for v in overall)


def test_a_filling_disk_makes_the_forecast_fire(demo: DemoContext) -> None:
    filling = [v["filling_series"] for v in demo.shared["monitoring"].values()]
    assert any(filling)
    for series_id in filter(None, filling):
        points = tuple(
            (ts / 1000, value)
            for ts, value in Sample.objects.filter(series_id=series_id)
            .order_by("ts")
            .values_list("ts", "value")
        )
        state, _found = evaluate(
            DISK_FORECAST, SeriesWindow(f"series:{series_id}", points), None, NOW
        )
        assert state.phase is Phase.FIRING
        assert state.forecast is not None
        assert state.forecast.crossing_at is not None
        assert NOW < state.forecast.crossing_at < NOW + timedelta(days=4)


def test_same_seed_same_history(demo: DemoContext) -> None:
    client = Client.objects.order_by("pk").first()
    assert client is not None

    def fingerprint() -> list[Any]:
        results = CheckResult.objects.filter(of_check__client=client)
        rollups = Rollup.objects.filter(series__client=client)
        return [
            sorted(Asset.objects.filter(client=client).values_list("name", "kind", "serial")),
            list(results.order_by("of_check__name", "at").values_list("at", "state")),
            sorted(rollups.values_list("series__metric", "hour", "sum")),
        ]

    before = fingerprint()
    Asset.objects.filter(client=client).delete()
    Collector.objects.filter(client=client).delete()
    Series.objects.filter(client=client).delete()
    with time_machine.travel(NOW, tick=False):
        seed_client(demo.for_seeder("monitoring"), client, 0)
    assert fingerprint() == before


def test_forecast_incidents_were_resolved_before_their_crossing(demo: DemoContext) -> None:
    alerts = Alert.objects.filter(rule_id="disk-forecast")
    assert alerts.exists()
    assert not alerts.exclude(phase="ok").exists()
    tickets = Ticket.objects.filter(source="alert", links__kind="alert").distinct()
    assert tickets.count() == AlertEvent.objects.filter(kind="firing").count()
    assert all(t.status == "resolved" for t in tickets)
    prevented = 0
    with time_machine.travel(NOW, tick=False):
        for client in Client.objects.all():
            for month in (8, 9, 10, 11):
                period = Period.month(2026, month)
                item = registry.get("monitoring.problems_prevented")
                result = item(client, period, item.resolve_params({}))
                forecast = result.inputs["forecast"]
                assert result.value == forecast  # every one prevented
                prevented += forecast
                if forecast:
                    first = registry.get("monitoring.alerts_resolved_before_client_ticket")
                    assert first(client, period, {}).value == Decimal(100)
    assert prevented == tickets.count()
