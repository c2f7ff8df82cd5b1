"""Inserting many model rows at once: ``executemany`` on SQLite, ``COPY`` on PostgreSQL.

Rows are built from unsaved model instances, with every value prepared by its field exactly as
``Model.save()`` would (``get_db_prep_save``), so what lands in the table is what the ORM would
have written. No signals are sent: the caller records one audit entry for the whole batch.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, models


def _fields(model: type[models.Model], with_pk: bool) -> list[models.Field]:  # type: ignore[type-arg]
    return [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]


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


def insert(
    model: type[models.Model], objects: Sequence[models.Model], *, with_pk: bool = False
) -> None:
    """Insert ``objects`` (unsaved instances) in one statement stream, inside the caller's
    transaction. With ``with_pk`` their primary keys must be set (``reserve_ids``)."""
    if not objects:
        return
    fields = _fields(model, with_pk)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    rows = (
        tuple(f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields)
        for obj in objects
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY is PostgreSQL's bulk path: one round trip, no per-row statement.
            raw = cursor.cursor  # Django's wrapper around the psycopg cursor
            with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(fields))
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", list(rows))  # noqa: S608
