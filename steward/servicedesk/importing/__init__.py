"""Import of historical tickets from CSV, JSON or JSON Lines (docs/servicedesk.md, "Import and
export"): ``parse`` reads rows into checked records, ``write`` stores them in bulk with their
SLA outcome computed as if the tickets had been worked live.

``import_tickets`` is the one entry point: the CLI, the API and bench/tickets.py call it.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import TextIO

from django.db import connections
from django.utils import timezone

from steward.servicedesk.importing.parse import (
    Parsed,
    PayloadError,
    PayloadTooLarge,
    Rejected,
    RowError,
    TicketRecord,
    parse_csv,
)
from steward.servicedesk.importing.parse_json import parse_json, parse_jsonl
from steward.servicedesk.importing.write import Duplicate, ImportReport, write_tickets
from steward.tenancy.models import User

__all__ = [
    "FORMATS",
    "Duplicate",
    "ImportReport",
    "PayloadError",
    "PayloadTooLarge",
    "Rejected",
    "RowError",
    "TicketRecord",
    "format_for",
    "import_tickets",
    "parse",
]

FORMATS = ("csv", "json", "jsonl")
SUFFIXES = {".csv": "csv", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl"}


def format_for(filename: str) -> str | None:
    """The format a file name's suffix suggests, or None."""
    lowered = filename.lower()
    return next((fmt for suffix, fmt in SUFFIXES.items() if lowered.endswith(suffix)), None)


def parse(source: str | TextIO, fmt: str, now: datetime, client: str = "") -> Iterator[Parsed]:
    """Records of ``source`` (text, or a text stream read lazily for CSV and JSON Lines).
    Raises ``PayloadError`` at once when the payload cannot be read at all."""
    stream = io.StringIO(source, newline="") if isinstance(source, str) else source
    if fmt == "csv":
        return parse_csv(stream, now, client)
    if fmt == "json":
        return parse_json(stream.read(), now, client)
    if fmt == "jsonl":
        return parse_jsonl(stream, now, client)
    raise PayloadError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")


def import_tickets(
    source: str | TextIO,
    *,
    fmt: str,
    user: User,
    client: str = "",
    dry_run: bool = False,
    now: datetime | None = None,
    progress: Callable[[int], None] | None = None,
    max_rows: int | None = None,
) -> ImportReport:
    """Import historical tickets for the clients ``user`` can see (``client``: the code of the
    client of rows that name none). Returns the report; raises ``PayloadError`` only when the
    payload is unreadable as a whole, and ``PayloadTooLarge`` (writing nothing) when it holds
    more than ``max_rows`` rows."""
    now = now if now is not None else timezone.now()
    records = parse(source, fmt, now, client)
    # A generator's header check runs on its first step: take it before opening the write.
    first = next(records, None)
    if first is None:
        return ImportReport(dry_run=dry_run)
    chained = _chain(first, records, max_rows)
    report = write_tickets(chained, user=user, now=now, dry_run=dry_run, progress=progress)
    if report.imported >= BULK and not dry_run:
        refresh_statistics()
    return report


# Tickets above which an import is a bulk load that changes the tables' statistics.
BULK = 1000


def refresh_statistics() -> None:
    """After a bulk load, as PostgreSQL's manual advises: ANALYZE, so the planner knows the new
    rows, and VACUUM, so index-only scans (the ticket list's counts) need not visit every row.
    Runs after the import's commit (VACUUM cannot run in a transaction); outside an outer
    transaction only, and on PostgreSQL only (SQLite plans without statistics here)."""
    connection = connections["default"]
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) servicedesk_ticket, servicedesk_ticketevent")


def _chain(first: Parsed, rest: Iterator[Parsed], max_rows: int | None) -> Iterator[Parsed]:
    yield first
    for count, parsed in enumerate(rest, start=2):
        if max_rows is not None and count > max_rows:
            # Raised inside the writer's transaction: whatever was written is rolled back.
            raise PayloadTooLarge(f"more than {max_rows} tickets in one import; split the file")
        yield parsed
