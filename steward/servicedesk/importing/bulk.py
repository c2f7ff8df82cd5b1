"""Inserting many rows of a model at once: ``executemany`` on SQLite, ``COPY`` on PostgreSQL.

A row is read from any object with the model's attribute names (a model instance, or a lighter
object for the hundreds of thousands of timeline events). Values are converted as the ORM
converts them when saving (aware datetimes as naive UTC text on SQLite, JSON as text); the
common field types take a fast path, every other type goes through ``get_db_prep_save``. No
signals are sent: the caller records one audit entry for the whole batch.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from operator import attrgetter
from typing import Any

from django.db import connection, models

Adapter = Callable[[Any], Any]
# Values of these types are stored as they are by both drivers.
AS_IS = (
    models.AutoField,
    models.BigAutoField,
    models.BooleanField,
    models.CharField,
    models.ForeignKey,
    models.IntegerField,
    models.TextField,
)


def _same(value: Any) -> Any:
    return value


def _sqlite_time(value: datetime | None) -> str | None:
    # What Django's SQLite backend writes: naive UTC (the connection's zone) as str().
    if value is None:
        return None
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.isoformat(" ")[:-6]  # without "+00:00"


_ENCODED: dict[tuple[tuple[str, str], ...], str] = {}


def _json(value: Any) -> str | None:
    if value is None:
        return None
    if type(value) is dict and all(type(v) is str for v in value.values()):
        # Most events carry no data or the same few flat dicts ({"source": "import",
        # "priority": "P3"}): encode each shape once.
        key = tuple(value.items())
        found = _ENCODED.get(key)
        if found is None:
            found = json.dumps(value)
            if len(_ENCODED) < 1024:
                _ENCODED[key] = found
        return found
    return json.dumps(value)


def _adapter(field: models.Field) -> Adapter:  # type: ignore[type-arg]
    if isinstance(field, models.DateTimeField):
        return _sqlite_time if connection.vendor == "sqlite" else _same
    if isinstance(field, models.JSONField):
        return _json
    if isinstance(field, AS_IS):
        return _same
    return lambda value: field.get_db_prep_save(value, connection)


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` new primary keys for ``model``, never used before (also not by deleted rows).

    Call inside the transaction that inserts them: on SQLite the transaction holds the write
    lock from its start (IMMEDIATE), so nobody else takes the same numbers; on PostgreSQL the
    ids come from the table's own sequence.
    """
    if count <= 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f'SELECT COALESCE(MAX("id"), 0) FROM "{table}"')  # noqa: S608
        highest = cursor.fetchone()[0]
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        start = max(highest, row[0] if row else 0) + 1
    return list(range(start, start + count))


@dataclass(frozen=True)
class Insert:
    """Rows ready for one table: the statement and the converted values."""

    statement: str
    rows: list[list[Any]]


def prepare(model: type[models.Model], objects: Sequence[Any], *, with_pk: bool = False) -> Insert:
    """The rows of ``objects``, converted for the database. Each object must have every
    column's attribute (``attname``); with ``with_pk`` their primary keys must be set
    (``reserve_ids``), otherwise the database numbers the rows."""
    fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
    # attrgetter reads a whole row in C; only the columns that need converting are touched.
    read = attrgetter(*(f.attname for f in fields))
    convert = [(i, adapt) for i, f in enumerate(fields) if (adapt := _adapter(f)) is not _same]
    rows = []
    for obj in objects:
        row = list(read(obj))
        for index, adapt in convert:
            row[index] = adapt(row[index])
        rows.append(row)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    if connection.vendor == "postgresql":
        # COPY is PostgreSQL's bulk path: one stream, no statement per row.
        return Insert(f"COPY {table} ({columns}) FROM STDIN", rows)
    marks = ", ".join(["?"] * len(fields))
    return Insert(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)  # noqa: S608


def execute(raw: Any, inserts: Sequence[Insert]) -> None:
    """Run prepared inserts on a DB-API connection (the one Django holds, in its transaction)."""
    for job in inserts:
        if not job.rows:
            continue
        if job.statement.startswith("COPY"):
            with raw.cursor() as cursor, cursor.copy(job.statement) as copy:
                for values in job.rows:
                    copy.write_row(values)
        else:
            raw.executemany(job.statement, job.rows)


class BackgroundWriter:
    """Runs inserts on a second thread, on the same connection and in the same transaction,
    so the database's own work (SQLite's B-tree updates in C, which release the GIL; COPY on
    PostgreSQL) overlaps the Python that parses and builds the next batch.

    One batch is in flight at a time; ``wait`` before using the connection in the caller's
    thread again (Django's wrapper is not used from the second thread, only the DB-API
    connection inside it). An error in the thread is raised again by the next ``wait``.
    """

    def __init__(self) -> None:
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def submit(self, inserts: Sequence[Insert]) -> None:
        self.wait()
        connection.ensure_connection()
        raw = connection.connection
        self._thread = threading.Thread(target=self._run, args=(raw, inserts), daemon=True)
        self._thread.start()

    def _run(self, raw: Any, inserts: Sequence[Insert]) -> None:
        try:
            execute(raw, inserts)
        except BaseException as error:  # handed to the caller's thread by wait()
            self._error = error

    def wait(self) -> None:
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._error is not None:
            error, self._error = self._error, None
            raise error


def insert(model: type[models.Model], objects: Sequence[Any], *, with_pk: bool = False) -> None:
    """Insert ``objects`` now, inside the caller's transaction (see ``prepare``)."""
    if objects:
        connection.ensure_connection()
        execute(connection.connection, [prepare(model, objects, with_pk=with_pk)])


@dataclass(slots=True)
class PendingEvent:
    """A timeline event on its way into ``TicketEvent``'s table: the model's attribute names
    without a model instance's cost (800,000 of them in bench/tickets.py). ``by_staff`` is the
    model's rule, so ``clock_events`` reads these as it reads stored events. ``ticket`` holds
    the ticket while it has no id yet (the demo builds both before saving either)."""

    client_id: int
    at: datetime
    kind: str
    actor_id: int | None = None
    actor_contact_id: int | None = None
    from_value: str = ""
    to_value: str = ""
    body: str = ""
    public: bool = False
    data: dict[str, Any] = field(default_factory=dict)
    ticket_id: int | None = None
    ticket: Any = None

    @property
    def by_staff(self) -> bool:
        return self.actor_id is not None and self.actor_contact_id is None
