"""Rows for the hottest list endpoints, read without Django's per-value work.

A ``.values()`` queryset runs every value through the backend's converters (on SQLite: parse
the text, look up ``settings.USE_TZ``, make it aware), and the JSON encoder then formats each
time again: for a page of 50 tickets with 15 times each, a third of the request. Both drivers
already hand back Python values for the columns these lists read: psycopg natively, and
sqlite3 through the converters Django registers for the declared types (``bool``,
``datetime``, ``date``). So the compiled SQL is run on a cursor and only the times are
formatted, once, straight to the API's text. The SQL itself is compiled once per process and
page size: compiling a 48-column query with five joins was the other third.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from django.db import connections
from django.db.models import Model, QuerySet

# Compiled ``.values()`` queries by primary key: (key, database, bucket) -> (SQL, names).
_prepared: dict[tuple[str, str, int], tuple[str, list[str]]] = {}


def _bucket(count: int) -> int:
    """The next power of two: a handful of compiled queries serve every page size."""
    return 1 << (count - 1).bit_length()


def fetch_by_pk(
    key: str, build: Callable[[list[int]], QuerySet[Any]], ids: list[int], using: str = "default"
) -> list[dict[str, Any]]:
    """The rows ``build(ids)`` reads, as dicts in the order of ``ids``, values as the driver
    returns them.

    ``build`` must return a ``.values()`` queryset whose only parameters are ``ids`` (a
    ``pk__in`` filter). Django compiles it once per ``key`` and size bucket; after that a page
    costs one execute. Only for columns the driver converts itself: text, numbers, booleans,
    dates and times (UTC; naive on SQLite). Not for JSON, decimal or UUID columns.
    """
    if not ids:
        return []
    size = _bucket(len(ids))
    prepared = _prepared.get((key, using, size))
    if prepared is None:
        placeholder = list(range(-size, 0))  # never a primary key, so easy to find below
        query = build(placeholder).query
        sql, params = query.sql_with_params()
        if list(params) != placeholder:
            raise ValueError(f"{key}: the query must take the ids as its only parameters")
        names = [*query.extra_select, *query.values_select, *query.annotation_select]
        prepared = _prepared[(key, using, size)] = (sql, names)
    sql, names = prepared
    padded = ids + [ids[-1]] * (size - len(ids))  # repeats change nothing in ``IN (…)``
    rows = fetch_all(sql, padded, using)
    found = {row["id"]: row for row in (dict(zip(names, r, strict=True)) for r in rows)}
    return [found[pk] for pk in ids if pk in found]


def fetch_all(sql: str, params: list[Any], using: str = "default") -> list[tuple[Any, ...]]:
    """The rows of ``sql``, compiled once and run on every request. On PostgreSQL it runs as a
    prepared statement, planned once per connection (planning the ticket rows' five joins cost
    as much as running them); Django's cursors bind on the client and cannot prepare, so this
    takes a server-binding cursor of psycopg's own. Where Django records queries (debug, tests
    that count them), its own cursor, so they are recorded."""
    connection = connections[using]
    if connection.vendor == "postgresql" and not connection.queries_logged:
        import psycopg  # only with PostgreSQL

        connection.ensure_connection()
        with psycopg.Cursor(connection.connection) as cursor:
            cursor.execute(sql, params, prepare=True)
            return cursor.fetchall()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def api_time(value: date) -> str:
    """What ``DjangoJSONEncoder`` writes for this time (milliseconds, ``Z`` for UTC); a naive
    datetime is UTC, as the database stores it."""
    if not isinstance(value, datetime):
        return value.isoformat()
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(timespec="milliseconds" if value.microsecond else "seconds") + "Z"


def format_times(rows: list[dict[str, Any]], names: Iterable[str]) -> list[dict[str, Any]]:
    """Replace the times ``names`` of each row with their API text (in place)."""
    names = tuple(names)
    for row in rows:
        for name in names:
            if row[name] is not None:
                row[name] = api_time(row[name])
    return rows


# --- Queries compiled once per shape ------------------------------------------------------------

# (name, index) locates a parameter in ``values`` (index -1: the value itself, else an item of
# a list); (None, constant) is a parameter that does not depend on them.
Slot = tuple[str | None, Any]
_compiled: dict[Hashable, tuple[str, list[Slot]]] = {}
COMPILED_LIMIT = 4096  # shapes times users; past it the cache starts over rather than grow


def _markers(values: Mapping[str, Any]) -> tuple[dict[str, Any], dict[Any, Slot]]:
    """Stand-ins for ``values``, each unlike any real parameter, and where each came from."""
    markers: dict[str, Any] = {}
    where: dict[Any, Slot] = {}

    def mark(name: str, value: Any, index: int) -> Any:
        n = len(where)
        marker: Any = -(1 << 40) - n if isinstance(value, int) else f"\x1fmark{n}\x1f"
        where[marker] = (name, index)
        return marker

    for name, value in values.items():
        if isinstance(value, list):
            markers[name] = [mark(name, item, i) for i, item in enumerate(value)]
        else:
            markers[name] = mark(name, value, -1)
    return markers, where


def compiled_sql(
    key: Hashable, build: Callable[[Mapping[str, Any]], QuerySet[Any]], values: Mapping[str, Any]
) -> tuple[str, list[Any]]:
    """SQL and parameters of ``build(values)``, compiled by Django once per ``key``.

    ``values`` maps names to ints, strings or lists of them; ``key`` must capture everything
    else the SQL depends on (which names are given, list lengths, the caller's scope). The first
    call builds with marker values and records where each lands among the parameters; later
    calls substitute. A value the ORM transforms on its way (``icontains`` wraps it, a time is
    converted) cannot be found by its marker: such a shape is compiled on every call instead.
    """
    entry = _compiled.get(key)
    if entry is None:
        markers, where = _markers(values)
        sql, params = build(markers).query.sql_with_params()
        slots: list[Slot] = []
        for param in params:
            found = where.get(param) if type(param) in (int, str) else None
            slots.append(found if found is not None else (None, param))
        placed = {slot for slot in slots if slot[0] is not None}
        if len(placed) != len(where) or any(str(marker) in sql for marker in where):
            direct, direct_params = build(values).query.sql_with_params()
            return direct, list(direct_params)
        if len(_compiled) >= COMPILED_LIMIT:
            _compiled.clear()
        entry = _compiled[key] = (sql, slots)
    compiled, slots = entry
    return compiled, [
        value if name is None else (values[name] if value < 0 else values[name][value])
        for name, value in slots
    ]


# --- Model instances from compiled SQL ----------------------------------------------------------

_converters: dict[tuple[type[Model], str], list[tuple[int, list[Any], Any]]] = {}


def _converters_of(model: type[Model], using: str) -> list[tuple[int, list[Any], Any]]:
    """What Django does to each column of ``model`` on its way from the driver: computed once
    per model and database instead of once per query."""
    found = _converters.get((model, using))
    if found is None:
        connection = connections[using]
        found = []
        for index, field in enumerate(model._meta.concrete_fields):
            column = field.get_col(model._meta.db_table)
            funcs = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
            if funcs:
                found.append((index, funcs, column))
        _converters[(model, using)] = found
    return found


def instances(
    models: tuple[type[Model], ...], sql: str, params: list[Any], using: str = "default"
) -> list[tuple[Model, ...]]:
    """Run ``sql``, whose columns are every concrete field of each of ``models`` in turn (as
    ``select_related`` reads them), and build the instances of each row as the ORM would."""
    connection = connections[using]
    rows = fetch_all(sql, params, using)
    built = []
    for row in rows:
        start, objects = 0, []
        for model in models:
            width = len(model._meta.concrete_fields)
            values = list(row[start : start + width])
            for index, funcs, column in _converters_of(model, using):
                for func in funcs:
                    values[index] = func(values[index], column, connection)
            names = [f.attname for f in model._meta.concrete_fields]
            objects.append(model.from_db(using, names, values))
            start += width
        built.append(tuple(objects))
    return built
