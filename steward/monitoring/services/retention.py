"""Hourly rollups of samples and the retention of samples, rollups, results and batch records.

Both work series by series in chunks of ids, so every statement walks the (series, ts) and
(series, hour) indexes the tables already have: no index on time alone slows the writes.
Settings (read when a job runs, defaults in brackets): STEWARD_MONITORING_RAW_DAYS [14],
STEWARD_MONITORING_ROLLUP_DAYS [730], STEWARD_MONITORING_RESULT_DAYS [90],
STEWARD_MONITORING_BATCH_DAYS [14], STEWARD_MONITORING_ROLLUP_HOURS [3].
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction

from steward.monitoring.models import Check, CheckResult, IngestBatch, Rollup, Sample, Series

CHUNK = 500
HOUR_S, HOUR_MS = 3600, 3_600_000


def setting(name: str, default: int) -> int:
    return int(getattr(settings, f"STEWARD_MONITORING_{name}", default))


@dataclass(frozen=True)
class Cutoffs:
    """What is older than these goes: sample ts (Unix ms), rollup hour (Unix s), result and
    batch times."""

    samples_ms: int
    rollup_hour: int
    results: datetime
    batches: datetime


def cutoffs(now: datetime) -> Cutoffs:
    return Cutoffs(
        samples_ms=int((now - timedelta(days=setting("RAW_DAYS", 14))).timestamp() * 1000),
        rollup_hour=int((now - timedelta(days=setting("ROLLUP_DAYS", 730))).timestamp()),
        results=now - timedelta(days=setting("RESULT_DAYS", 90)),
        batches=now - timedelta(days=setting("BATCH_DAYS", 14)),
    )


def rollup_start(now: datetime, hours: int) -> int:
    """Unix seconds of the first hour to recompute: the current hour and ``hours - 1``
    before it."""
    current = int(now.timestamp()) // HOUR_S * HOUR_S
    return current - (max(1, hours) - 1) * HOUR_S


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _marks(count: int) -> str:
    return ", ".join(["%s"] * count)


SAMPLE = Sample._meta.db_table
ROLLUP = Rollup._meta.db_table


def recompute_rollups(now: datetime, hours: int | None = None) -> int:
    """Recompute min/max/sum/count per series and hour from the raw samples of the last
    ``hours`` hours (the current one included); returns the rollup rows written. Idempotent:
    the hours' rollups are replaced, so late samples are counted on the next run."""
    start = rollup_start(now, hours if hours is not None else setting("ROLLUP_HOURS", 3))
    written = 0
    series_ids = list(Series.objects.order_by("pk").values_list("pk", flat=True))
    for chunk in _chunks(series_ids):
        marks = _marks(len(chunk))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f'DELETE FROM "{ROLLUP}" WHERE "series_id" IN ({marks}) AND "hour" >= %s',  # noqa: S608
                [*chunk, start],
            )
            cursor.execute(
                f'INSERT INTO "{ROLLUP}" ("series_id", "hour", "min", "max", "sum", "count") '  # noqa: S608
                f'SELECT "series_id", ("ts" / {HOUR_MS}) * {HOUR_S}, MIN("value"), MAX("value"), '
                f'SUM("value"), COUNT(*) FROM "{SAMPLE}" '
                f'WHERE "series_id" IN ({marks}) AND "ts" >= %s '
                f'GROUP BY "series_id", "ts" / {HOUR_MS}',
                [*chunk, start * 1000],
            )
            written += max(cursor.rowcount, 0)
    return written


# The distinct series ids of the sample table by a walk down its primary key (a "loose index
# scan"), one index probe per series; SELECT DISTINCT would read every sample.
SAMPLED_SERIES = f"""
WITH RECURSIVE walk(id) AS (
    SELECT MIN("series_id") FROM "{SAMPLE}"
    UNION ALL
    SELECT (SELECT MIN("series_id") FROM "{SAMPLE}" WHERE "series_id" > walk.id)
    FROM walk WHERE walk.id IS NOT NULL
)
SELECT id FROM walk WHERE id IS NOT NULL
"""  # noqa: S608


def sampled_series_ids() -> list[int]:
    """Every series id that has samples, also of series deleted while a server process still
    had them cached (signals.py): their samples are pruned by age like any others."""
    with connection.cursor() as cursor:
        cursor.execute(SAMPLED_SERIES)
        return [row[0] for row in cursor.fetchall()]


@dataclass(frozen=True)
class Pruned:
    samples: int
    rollups: int
    results: int
    batches: int


def prune(now: datetime) -> Pruned:
    """Delete what is past its retention (``cutoffs``); returns how many rows of each went."""
    limits = cutoffs(now)
    samples = rollups = results = 0
    for chunk in _chunks(sampled_series_ids()):
        marks = _marks(len(chunk))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f'DELETE FROM "{SAMPLE}" WHERE "series_id" IN ({marks}) AND "ts" < %s',  # noqa: S608
                [*chunk, limits.samples_ms],
            )
            samples += max(cursor.rowcount, 0)
    series_ids = list(Series.objects.order_by("pk").values_list("pk", flat=True))
    for chunk in _chunks(series_ids):
        marks = _marks(len(chunk))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f'DELETE FROM "{ROLLUP}" WHERE "series_id" IN ({marks}) AND "hour" < %s',  # noqa: S608
                [*chunk, limits.rollup_hour],
            )
            rollups += max(cursor.rowcount, 0)
    check_ids = list(Check.objects.order_by("pk").values_list("pk", flat=True))
    for chunk in _chunks(check_ids):
        results += CheckResult.objects.filter(
            of_check_id__in=chunk, at__lt=limits.results
        )._raw_delete(CheckResult.objects.db)
    batches = IngestBatch.objects.filter(received_at__lt=limits.batches)._raw_delete(
        IngestBatch.objects.db
    )
    return Pruned(samples, rollups, results, batches)
