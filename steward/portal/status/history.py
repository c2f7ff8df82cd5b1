"""The results behind the uptime bars, read compactly.

A check reports every ``interval_s`` (a minute by default), so 90 days are ~130,000 results per
check. Reading them all into Python for one page is too slow, so the database keeps only the
results where something happens, with window functions (SQLite 3.25+ and PostgreSQL alike):

- the first and the last result, and each result whose state differs from the previous one;
- each result that follows or precedes a gap longer than the check's staleness (three
  intervals, as ``monitoring.measures.availability`` counts it): the time in the gap is unknown.

Every result dropped has the state of the previous one and came in time, so a kept result
that "continues" holds until the next kept one (``uptime.intervals_from_runs``).
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


def check_intervals(checks: Sequence[Check], since: datetime) -> dict[int, list[Interval]]:
    """Each check's up/down/unknown intervals from ``since`` on (plus the result in force at
    ``since``, when it is not stale), in one query."""
    found: dict[int, list[tuple[datetime, str, bool]]] = {c.pk: [] for c in checks}
    if not checks:
        return {}
    longest = max(c.interval_s for c in checks) * STALE_INTERVALS
    params = [STALE_INTERVALS, *[c.pk for c in checks], since - timedelta(seconds=longest)]
    # .raw() converts "at" like any query (SQLite keeps text), and "continues" rides along.
    for row in CheckResult.objects.raw(_query(len(checks)), params):
        at = row.at if row.at.tzinfo else row.at.replace(tzinfo=UTC)
        found[row.of_check_id].append((at, row.state, bool(getattr(row, "continues", 0))))
    return {
        c.pk: intervals_from_runs(
            found[c.pk], timedelta(seconds=STALE_INTERVALS * c.interval_s), KINDS
        )
        for c in checks
    }
