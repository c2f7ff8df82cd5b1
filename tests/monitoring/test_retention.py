"""Hourly rollups (exact values, idempotent recompute) and retention at its boundaries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import time_machine

from steward.monitoring.models import CheckResult, IngestBatch, Rollup, Sample, Series
from steward.monitoring.services.retention import prune, recompute_rollups, rollup_start
from steward.monitoring.services.samples import write_samples
from steward.monitoring.tasks import prune_monitoring_data, roll_up_samples
from tests.conftest import World
from tests.monitoring.helpers import Sender, batch

NOW = datetime(2026, 11, 29, 12, 30, tzinfo=UTC)
HOUR_12 = int(datetime(2026, 11, 29, 12, tzinfo=UTC).timestamp())
HOUR_11 = HOUR_12 - 3600


def _series(world: World, metric: str = "load") -> Series:
    return Series.objects.create(client=world.acme, metric=metric, key=metric)


def rollups(series: Series) -> list[tuple[Any, ...]]:
    rows = Rollup.objects.filter(series=series).order_by("hour")
    return list(rows.values_list("hour", "min", "max", "sum", "count"))


def test_rollups_per_hour_are_exact(world: World) -> None:
    series = _series(world)
    ms = 1000
    write_samples([
        (series.pk, HOUR_11 * ms, 4.0),
        (series.pk, (HOUR_11 + 3599) * ms + 999, 2.0),  # the last millisecond of 11:00
        (series.pk, HOUR_12 * ms, 10.0),  # the first of 12:00
        (series.pk, (HOUR_12 + 60) * ms, -1.5),
    ])  # fmt: skip
    assert recompute_rollups(NOW, hours=2) == 2
    assert rollups(series) == [(HOUR_11, 2.0, 4.0, 6.0, 2), (HOUR_12, -1.5, 10.0, 8.5, 2)]


def test_recompute_is_idempotent_and_counts_late_samples(world: World) -> None:
    series = _series(world)
    write_samples([(series.pk, HOUR_12 * 1000, 1.0)])
    recompute_rollups(NOW, hours=1)
    recompute_rollups(NOW, hours=1)
    assert rollups(series) == [(HOUR_12, 1.0, 1.0, 1.0, 1)]
    write_samples([(series.pk, HOUR_12 * 1000 + 5, 3.0)])
    recompute_rollups(NOW, hours=1)
    assert rollups(series) == [(HOUR_12, 1.0, 3.0, 4.0, 2)]


def test_only_the_last_hours_are_recomputed(world: World) -> None:
    series = _series(world)
    write_samples([(series.pk, HOUR_11 * 1000, 1.0), (series.pk, HOUR_12 * 1000, 2.0)])
    recompute_rollups(NOW, hours=1)
    assert [r[0] for r in rollups(series)] == [HOUR_12]
    assert rollup_start(NOW, 3) == HOUR_12 - 2 * 3600
    assert rollup_start(NOW, 0) == HOUR_12


def test_raw_samples_go_after_14_days_to_the_millisecond(world: World) -> None:
    series = _series(world)
    edge_ms = int((NOW - timedelta(days=14)).timestamp() * 1000)
    write_samples([(series.pk, edge_ms - 1, 1.0), (series.pk, edge_ms, 2.0)])
    with time_machine.travel(NOW, tick=False):
        pruned = prune_monitoring_data.call()
    assert pruned["samples"] == 1
    assert list(Sample.objects.values_list("ts", flat=True)) == [edge_ms]


def test_rollups_stay_two_years_and_results_90_days(
    world: World, acme_collector: Sender, settings: Any
) -> None:
    series = _series(world)
    two_years = int((NOW - timedelta(days=730)).timestamp())
    Rollup.objects.bulk_create([
        Rollup(series=series, hour=two_years - 3600, min=0, max=0, sum=0, count=1),
        Rollup(series=series, hour=two_years, min=0, max=0, sum=0, count=1),
    ])  # fmt: skip
    check = acme_collector.http_check()
    edge = NOW - timedelta(days=90)
    CheckResult.objects.bulk_create([
        CheckResult(of_check=check, at=edge - timedelta(microseconds=1), state="ok"),
        CheckResult(of_check=check, at=edge, state="ok"),
    ])  # fmt: skip
    pruned = prune(NOW)
    assert (pruned.rollups, pruned.results) == (1, 1)
    assert list(Rollup.objects.values_list("hour", flat=True)) == [two_years]
    assert list(CheckResult.objects.values_list("at", flat=True)) == [edge]
    settings.STEWARD_MONITORING_RESULT_DAYS = 1
    assert prune(NOW).results == 1


def test_batch_records_go_with_the_raw_samples(world: World, acme_collector: Sender) -> None:
    with time_machine.travel(NOW - timedelta(days=15), tick=False):
        acme_collector.post(batch())
    with time_machine.travel(NOW, tick=False):
        acme_collector.post(batch())
        prune_monitoring_data.call()
    assert IngestBatch.objects.count() == 1


def test_the_rollup_task_runs_on_now(world: World) -> None:
    series = _series(world)
    write_samples([(series.pk, HOUR_12 * 1000, 7.0)])
    with time_machine.travel(NOW, tick=False):
        assert roll_up_samples.call() == 1
    assert rollups(series) == [(HOUR_12, 7.0, 7.0, 7.0, 1)]


def test_deleting_a_series_deletes_its_samples(world: World) -> None:
    series, other = _series(world), _series(world, "other")
    write_samples([(series.pk, 1, 1.0), (other.pk, 1, 1.0)])
    series.delete()
    assert list(Sample.objects.values_list("series_id", flat=True)) == [other.pk]


def test_samples_of_a_series_gone_meanwhile_are_pruned_by_age(world: World) -> None:
    # A server process that still had the series cached wrote them after the series went.
    series = _series(world)
    orphan_id = series.pk + 1000
    edge_ms = int((NOW - timedelta(days=14)).timestamp() * 1000)
    write_samples([(orphan_id, edge_ms - 1, 1.0), (orphan_id, edge_ms, 2.0), (series.pk, 5, 3.0)])
    assert prune(NOW).samples == 2
    assert list(Sample.objects.values_list("series_id", "ts")) == [(orphan_id, edge_ms)]
