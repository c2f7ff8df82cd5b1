"""Resolving series and writing samples in bulk: the hot path of ingest.

1. A series is found by a digest of (owner, metric, labels), unique per client; ids are kept
   in an in-process cache (``SeriesCache``), so a steady sender costs no query for them.
2. Samples are written in one statement stream inside the caller's transaction: ``executemany``
   on SQLite, ``COPY`` on PostgreSQL. A point sent twice is stored once (``INSERT OR IGNORE``;
   on PostgreSQL a COPY that meets a duplicate is redone through ``ON CONFLICT DO NOTHING``).
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.db import connection, transaction

from steward.monitoring.models import Rollup, Sample, Series

# (client id, owner, metric, labels) -> series id; owner is ("check", id) or ("asset", id).
SeriesRef = tuple[int, tuple[str, int], str, tuple[tuple[str, str], ...]]
LOOKUP_CHUNK = 500


def series_key(owner: tuple[str, int], metric: str, labels: Iterable[tuple[str, str]]) -> str:
    """The digest stored in ``Series.key``: stable over label order."""
    canonical = json.dumps([list(owner), metric, sorted(labels)], separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass
class SeriesCache:
    """Series ids by reference, per process. Entries expire so a series deleted by another
    process is looked up again within ``ttl_s``; a local deletion clears the cache at once
    (signals.py)."""

    max_entries: int = 500_000
    ttl_s: float = 300.0

    def __post_init__(self) -> None:
        self._ids: dict[SeriesRef, int] = {}
        self._born = time.monotonic()
        self._lock = threading.Lock()

    def get_many(self, refs: Iterable[SeriesRef]) -> dict[SeriesRef, int]:
        with self._lock:
            if time.monotonic() - self._born > self.ttl_s:
                self._ids, self._born = {}, time.monotonic()
            get = self._ids.get
            return {ref: found for ref in refs if (found := get(ref)) is not None}

    def view(self) -> dict[SeriesRef, int]:
        """The cache itself, to read without the lock (dict reads are atomic in CPython);
        ``put_many`` may replace it meanwhile, which costs a lookup, never a wrong id."""
        with self._lock:
            if time.monotonic() - self._born > self.ttl_s:
                self._ids, self._born = {}, time.monotonic()
            return self._ids

    def put_many(self, found: dict[SeriesRef, int]) -> None:
        with self._lock:
            if len(self._ids) + len(found) > self.max_entries:
                self._ids = {}
            self._ids.update(found)

    def clear(self) -> None:
        with self._lock:
            self._ids = {}


series_cache = SeriesCache()


def _by_key(client_id: int, keys: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for start in range(0, len(keys), LOOKUP_CHUNK):
        chunk = keys[start : start + LOOKUP_CHUNK]
        rows = Series.objects.filter(client_id=client_id, key__in=chunk).values_list("key", "pk")
        found.update(rows)
    return found


def resolve_series(refs: Sequence[SeriesRef]) -> dict[SeriesRef, int]:
    """The id of every referenced series, creating the missing ones. A reference's labels
    may come in any order: the cache keeps each order it has seen, the digest sorts them."""
    ids = series_cache.get_many(refs)
    if len(ids) == len(refs):
        return ids
    missing = set(refs) - ids.keys()
    if not missing:
        return ids
    # Several references (the same labels in another order) may share one digest.
    keyed: dict[str, list[SeriesRef]] = {}
    for ref in missing:
        keyed.setdefault(series_key(ref[1], ref[2], ref[3]), []).append(ref)
    by_client: dict[int, list[str]] = {}
    for key, same in keyed.items():
        by_client.setdefault(same[0][0], []).append(key)
    found: dict[SeriesRef, int] = {}
    for client_id, keys in by_client.items():
        existing = _by_key(client_id, keys)
        new = [
            Series(
                client_id=client_id,
                asset_id=ref[1][1] if ref[1][0] == "asset" else None,
                from_check_id=ref[1][1] if ref[1][0] == "check" else None,
                metric=ref[2],
                labels=dict(ref[3]),
                key=key,
            )
            for key in keys
            if key not in existing
            for ref in (keyed[key][0],)
        ]
        if new:
            # Another request may create the same series meanwhile: ignore the conflict and
            # read the ids back.
            Series.objects.bulk_create(new, ignore_conflicts=True, batch_size=LOOKUP_CHUNK)
            existing.update(_by_key(client_id, [s.key for s in new]))
        found.update({ref: pk for key, pk in existing.items() for ref in keyed[key]})
    # Cached once the transaction commits: ids of series created by a batch that is then
    # rolled back must never be handed to the next one (no foreign key would catch it).
    transaction.on_commit(partial(series_cache.put_many, found))
    return ids | found


# --- Writing samples ----------------------------------------------------------------------------

SAMPLE_TABLE = Sample._meta.db_table
SQLITE_INSERT = (
    f'INSERT OR IGNORE INTO "{SAMPLE_TABLE}" ("series_id", "ts", "value") VALUES (?, ?, ?)'  # noqa: S608
)
PG_COPY = f'COPY "{SAMPLE_TABLE}" ("series_id", "ts", "value") FROM STDIN (FORMAT BINARY)'
PG_STAGE_COPY = 'COPY "monitoring_sample_stage" (series_id, ts, value) FROM STDIN (FORMAT BINARY)'
PG_STAGE = (
    'CREATE TEMPORARY TABLE IF NOT EXISTS "monitoring_sample_stage" '
    "(series_id bigint, ts bigint, value double precision) ON COMMIT DELETE ROWS"
)
PG_MERGE = (
    f'INSERT INTO "{SAMPLE_TABLE}" ("series_id", "ts", "value") '  # noqa: S608
    'SELECT series_id, ts, value FROM "monitoring_sample_stage" ON CONFLICT DO NOTHING'
)


def write_samples(rows: Sequence[tuple[int, int, float]]) -> None:
    """Insert (series id, Unix ms, value) rows inside the caller's transaction."""
    if not rows:
        return
    connection.ensure_connection()
    raw = connection.connection
    if connection.vendor == "postgresql":
        _copy_postgres(raw, rows)
    else:
        raw.executemany(SQLITE_INSERT, rows)


def _copy(raw: object, statement: str, rows: Sequence[tuple[int, int, float]]) -> None:
    with raw.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[attr-defined]
        # Binary COPY with declared types: psycopg packs each row in C.
        copy.set_types(["int8", "int8", "float8"])
        for row in rows:
            copy.write_row(row)


def _copy_postgres(raw: object, rows: Sequence[tuple[int, int, float]]) -> None:
    import psycopg  # only on PostgreSQL installations: SQLite ones need not have it

    try:
        with transaction.atomic():
            _copy(raw, PG_COPY, rows)
        return
    except psycopg.errors.UniqueViolation:
        pass  # a point already stored: stage the rows and merge them without the duplicates
    with raw.cursor() as cursor:  # type: ignore[attr-defined]
        cursor.execute(PG_STAGE)
        _copy(raw, PG_STAGE_COPY, rows)
        cursor.execute(PG_MERGE)
        cursor.execute('TRUNCATE "monitoring_sample_stage"')


# --- Reading points for charts: [t, mean, min, max] -------------------------------------------


def _rows(sql: str, params: list[Any]) -> list[list[float]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [[float(v) for v in row] for row in cursor.fetchall()]


ROLLUP_TABLE = Rollup._meta.db_table


def raw_points(series_id: int, since_ms: int, until_ms: int, step: int) -> list[list[float]]:
    if step == 0:
        rows = Sample.objects.filter(series_id=series_id, ts__gte=since_ms, ts__lt=until_ms)
        return [[ts / 1000, v, v, v] for ts, v in rows.order_by("ts").values_list("ts", "value")]
    step_ms = step * 1000
    return _rows(
        f'SELECT ("ts" / %s) * %s / 1000, AVG("value"), MIN("value"), MAX("value") '  # noqa: S608
        f'FROM "{SAMPLE_TABLE}" WHERE "series_id" = %s AND "ts" >= %s AND "ts" < %s '
        f'GROUP BY "ts" / %s ORDER BY 1',
        [step_ms, step_ms, series_id, since_ms, until_ms, step_ms],
    )


def rollup_points(series_id: int, since_s: int, until_s: int, step: int) -> list[list[float]]:
    return _rows(
        f'SELECT ("hour" / %s) * %s, SUM("sum") / SUM("count"), MIN("min"), MAX("max") '  # noqa: S608
        f'FROM "{ROLLUP_TABLE}" WHERE "series_id" = %s AND "hour" >= %s AND "hour" < %s '
        f'GROUP BY "hour" / %s ORDER BY 1',
        [step, step, series_id, since_s, until_s, step],
    )
