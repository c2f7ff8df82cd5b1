"""Bulk writes on SQLite: a larger page cache while many rows go in."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection


@contextmanager
def bulk_session(cache_mb: int = 128) -> Iterator[None]:
    """A larger page cache for SQLite while a bulk write runs: the default (2 MB) is far
    smaller than the indexes of large tables, so each insert would reread index pages."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size = {-1024 * int(cache_mb)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {before}")
