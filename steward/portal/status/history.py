"""The results behind the uptime bars, read compactly.

A check reports every ``interval_s`` (a minute by default), so 90 days are ~130,000 results per
check. Only the results where something happens matter:

- the first and the last result, and each result whose state differs from the previous one;
- each result that follows or precedes a gap longer than the check's staleness (three
  intervals, as ``monitoring.measures.availability`` counts it): the time in the gap is unknown.

Every result dropped has the state of the previous one and came in time, so a kept result
that "continues" holds until the next kept one (``uptime.intervals_from_runs``). PostgreSQL
selects them with window functions and sends only those; on SQLite, whose window functions
cost about 3 µs a result, Python selects them from the raw rows (``kept_results``), three
times faster.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from django.db import connection

from steward.monitoring.choices import CheckStatus
from steward.monitoring.measures.availability import STALE_INTERVALS
from steward.monitoring.models import Check, CheckResult
from steward.portal.status.uptime import Interval, Kind, intervals_from_runs

# ok and warning count as up (the service answers), critical as down; unknown and pending are
# unknown time. The same reading as the availability measure's default.
KINDS: dict[str, Kind] = {
    CheckStatus.OK: Kind.UP,
    CheckStatus.WARNING: Kind.UP,
    CheckStatus.CRITICAL: Kind.DOWN,
}

RESULTS = CheckResult._meta.db_table
CHECKS = Check._meta.db_table


def _seconds_between(earlier: str, later: str) -> str:
    """SQL for the seconds from ``earlier`` to ``later`` (datetime columns)."""
    if connection.vendor == "postgresql":
        return f"EXTRACT(EPOCH FROM ({later} - {earlier}))"
    return f"((julianday({later}) - julianday({earlier})) * 86400.0)"


def _query(count: int) -> str:
    # Ordered by time alone, the order of the (check, at) index: SQLite then skips a sort of
    # every result. Two results of one check at one instant (rare: one collector runs it)
    # come in either order, which changes at most that instant.
    window = 'OVER (PARTITION BY r."check_id" ORDER BY r."at")'
    gap_before = _seconds_between(f'LAG(r."at") {window}', 'r."at"')
    gap_after = _seconds_between('r."at"', f'LEAD(r."at") {window}')
    marks = ", ".join(["%s"] * count)
    return f"""
        SELECT "id", "check_id", "at", "state",
               CASE WHEN gap_after IS NOT NULL AND gap_after <= stale THEN 1 ELSE 0 END
               AS "continues"
        FROM (
            SELECT r."id", r."check_id", r."at", r."state",
                   LAG(r."state") {window} AS previous_state,
                   {gap_before} AS gap_before, {gap_after} AS gap_after,
                   %s * c."interval_s" AS stale
            FROM "{RESULTS}" r JOIN "{CHECKS}" c ON c."id" = r."check_id"
            WHERE r."check_id" IN ({marks}) AND r."at" >= %s
        ) runs
        WHERE previous_state IS NULL OR "state" <> previous_state OR gap_before > stale
              OR gap_after IS NULL OR gap_after > stale
        ORDER BY "check_id", "at"
    """  # noqa: S608 (table names from the models, values as parameters)


Run = tuple[datetime, str, bool]


def kept_results(rows: Sequence[tuple[datetime, str]], stale: float) -> list[Run]:
    """The same selection as the SQL above, in Python, over (instant, state) ascending: each
    kept result with whether the next one came within ``stale`` seconds."""
    kept: list[Run] = []
    last = len(rows) - 1
    for index, (at, state) in enumerate(rows):
        gap_after = (rows[index + 1][0] - at).total_seconds() if index < last else None
        if index == 0:
            keep = True
        else:
            before_at, before_state = rows[index - 1]
            keep = state != before_state or (at - before_at).total_seconds() > stale
        keep = keep or gap_after is None or gap_after > stale
        if keep:
            kept.append((at, state, gap_after is not None and gap_after <= stale))
    return kept


def _runs_in_sql(checks: Sequence[Check], since: datetime) -> dict[int, list[Run]]:
    found: dict[int, list[Run]] = {c.pk: [] for c in checks}
    params = [STALE_INTERVALS, *[c.pk for c in checks], since]
    # .raw() converts "at" like any query, and "continues" rides along.
    for row in CheckResult.objects.raw(_query(len(checks)), params):
        found[row.of_check_id].append((row.at, row.state, bool(getattr(row, "continues", 0))))
    return found


def _runs_in_python(checks: Sequence[Check], since: datetime) -> dict[int, list[Run]]:
    """One query: the (check, at) index gives the rows in order, so nothing is sorted."""
    rows: dict[int, list[tuple[datetime, str]]] = {c.pk: [] for c in checks}
    marks = ", ".join(["%s"] * len(checks))
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT "check_id", "at", "state" FROM "{RESULTS}" '  # noqa: S608
            f'WHERE "check_id" IN ({marks}) AND "at" >= %s ORDER BY "check_id", "at"',
            [*rows, connection.ops.adapt_datetimefield_value(since)],
        )
        for check_id, at, state in cursor.fetchall():
            rows[check_id].append((_utc(at), state))
    return {c.pk: kept_results(rows[c.pk], STALE_INTERVALS * c.interval_s) for c in checks}


def _utc(value: str | datetime) -> datetime:
    at = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def check_intervals(checks: Sequence[Check], since: datetime) -> dict[int, list[Interval]]:
    """Each check's up/down/unknown intervals from ``since`` on (plus the result in force at
    ``since``, when it is not stale)."""
    if not checks:
        return {}
    longest = max(c.interval_s for c in checks) * STALE_INTERVALS
    start = since - timedelta(seconds=longest)
    read = _runs_in_python if connection.vendor == "sqlite" else _runs_in_sql
    found = read(checks, start)
    return {
        c.pk: intervals_from_runs(
            [(_utc(at), state, continues) for at, state, continues in found[c.pk]],
            timedelta(seconds=STALE_INTERVALS * c.interval_s),
            KINDS,
        )
        for c in checks
    }
