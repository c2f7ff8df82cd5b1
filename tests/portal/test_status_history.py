"""The compact read of check results (window functions keep only the results where something
happens) gives the same up and down time as reading every result, as the availability measure
does: a property test over random result histories, on the test database (SQLite or
PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from steward.monitoring.measures.intervals import durations
from steward.monitoring.models import Check, CheckResult
from steward.portal.status.history import check_intervals
from steward.portal.status.uptime import Kind
from tests.conftest import World
from tests.portal.status_world import (
    _fresh_status_cache,  # noqa: F401 (autouse fixture)
    make_check,
    services_of,
)

START = datetime(2026, 5, 1, tzinfo=UTC)
STATES = st.sampled_from(["ok", "ok", "ok", "warning", "critical", "critical", "unknown"])
# Gaps in seconds after each result: mostly on time (60 s), sometimes late beyond the
# staleness of three intervals (180 s), sometimes exactly at it.
GAPS = st.sampled_from([60, 60, 60, 61, 59, 180, 181, 600, 3600])


def totals(check: Check, since: datetime, end: datetime) -> tuple[float, float]:
    up = down = 0.0
    for interval in check_intervals([check], since)[check.pk]:
        lo, hi = max(interval.start, since), min(interval.end, end)
        if hi > lo and interval.kind is not Kind.UNKNOWN:
            seconds = (hi - lo).total_seconds()
            up += seconds if interval.kind is Kind.UP else 0
            down += seconds if interval.kind is Kind.DOWN else 0
    return up, down


@pytest.mark.django_db
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    steps=st.lists(st.tuples(GAPS, STATES), min_size=1, max_size=60),
    offset=st.integers(min_value=0, max_value=4000),
)
def test_compact_read_matches_every_result(
    world: World, steps: list[tuple[int, str]], offset: int
) -> None:
    check = Check.objects.filter(name="History web").first()
    if check is None:
        collector = services_of(world.acme, "History").collector
        check = make_check(world.acme, collector, "History web", interval_s=60)
    CheckResult.objects.filter(of_check=check).delete()
    rows, at = [], START
    for gap, state in steps:
        rows.append((at, state))
        at += timedelta(seconds=gap)
    CheckResult.objects.bulk_create(CheckResult(of_check=check, at=a, state=s) for a, s in rows)
    since = START + timedelta(seconds=offset)
    end = at + timedelta(hours=1)
    before = [r for r in rows if r[0] < since][-1:]
    expected = durations(
        before + [r for r in rows if r[0] >= since], since, end, timedelta(seconds=180)
    )
    up, down = totals(check, since, end)
    assert up == pytest.approx(expected.up, abs=1e-3)
    assert down == pytest.approx(expected.down, abs=1e-3)


def test_the_read_keeps_only_changes_and_gaps(world: World) -> None:
    collector = services_of(world.acme, "Compact").collector
    check = make_check(world.acme, collector, "Compact web", interval_s=60)
    rows = [(START + timedelta(minutes=m), "ok") for m in range(1000)]
    rows[500] = (rows[500][0], "critical")
    CheckResult.objects.bulk_create(CheckResult(of_check=check, at=a, state=s) for a, s in rows)
    intervals = check_intervals([check], START)[check.pk]
    assert [(i.start, i.end, i.kind) for i in intervals] == [
        (START, START + timedelta(minutes=500), Kind.UP),
        (START + timedelta(minutes=500), START + timedelta(minutes=501), Kind.DOWN),
        (START + timedelta(minutes=501), START + timedelta(minutes=1002), Kind.UP),
    ]
