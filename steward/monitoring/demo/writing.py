"""Inserting demo history in bulk: ``executemany`` on SQLite, ``COPY`` on PostgreSQL, inside the
caller's transaction. No signals and no model instances: the seeder records one audit entry per
client for all of it (the importer's rule)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from django.db import connection

from steward.monitoring.models import CheckResult, Rollup

ROLLUP_COLUMNS = ("series_id", "hour", "min", "max", "sum", "count")
RESULT_COLUMNS = ("check_id", "at", "state", "summary", "duration_ms")


def insert(table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    if not rows:
        return
    connection.ensure_connection()
    raw: Any = connection.connection
    quoted_table = connection.ops.quote_name(table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    if connection.vendor == "postgresql":
        with (
            raw.cursor() as cursor,
            cursor.copy(f"COPY {quoted_table} ({names}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" * len(columns))
    raw.executemany(f"INSERT INTO {quoted_table} ({names}) VALUES ({marks})", rows)  # noqa: S608


def insert_rollups(rows: Sequence[tuple[int, int, float, float, float, int]]) -> None:
    insert(Rollup._meta.db_table, ROLLUP_COLUMNS, rows)


def insert_results(rows: Sequence[tuple[int, str, str, str, float]]) -> None:
    insert(CheckResult._meta.db_table, RESULT_COLUMNS, rows)


def db_times(unix_s: npt.NDArray[Any]) -> list[str]:
    """Unix seconds as the database's text for an aware UTC datetime: what Django's SQLite
    backend stores (naive UTC), or a timestamptz literal for PostgreSQL's COPY."""
    text = np.datetime_as_string(unix_s.astype("datetime64[s]"), unit="s")
    suffix = "+00:00" if connection.vendor == "postgresql" else ""
    return [f"{t[:10]} {t[11:]}{suffix}" for t in text.tolist()]
