"""The settled days of the bars come from the cache; yesterday and today are read afresh."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from steward.monitoring.models import CheckResult
from steward.portal.status.bars import day_shares
from steward.portal.status.uptime import last_days
from tests.conftest import World
from tests.portal.status_world import (
    _fresh_status_cache,  # noqa: F401 (autouse fixture)
    every,
    services_of,
    write_results,
)

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


def shares_by_day(world: World, check_id: int, now: datetime) -> dict[date, float]:
    check = next(c for c in world.acme.checks.all() if c.pk == check_id)
    found = day_shares([check], last_days(now, BERLIN, 5), BERLIN, now)[check_id]
    return {s.day: s.down_s for s in found}


def test_settled_days_are_cached_and_live_days_read_again(world: World) -> None:
    web = services_of(world.acme, "Acme").web
    write_results(web, every(NOW - timedelta(days=4), NOW, timedelta(minutes=1), "ok"))
    with time_machine.travel(NOW, tick=False):
        first = shares_by_day(world, web.pk, NOW)
        assert set(first.values()) == {0.0}
        # An outage written late into a settled day (12 June) and into yesterday (14 June).
        CheckResult.objects.filter(
            of_check=web, at__gte=datetime(2026, 6, 12, 10, tzinfo=UTC)
        ).filter(at__lt=datetime(2026, 6, 12, 10, 5, tzinfo=UTC)).update(state="critical")
        CheckResult.objects.filter(
            of_check=web, at__gte=datetime(2026, 6, 14, 10, tzinfo=UTC)
        ).filter(at__lt=datetime(2026, 6, 14, 10, 5, tzinfo=UTC)).update(state="critical")
        with CaptureQueriesContext(connection) as queries:
            second = shares_by_day(world, web.pk, NOW)
    assert second[date(2026, 6, 12)] == 0.0  # cached
    assert second[date(2026, 6, 14)] == 300.0  # live
    [read] = [q["sql"] for q in queries.captured_queries if "monitoring_checkresult" in q["sql"]]
    assert "2026-06-13" in read  # read from yesterday's midnight (22:00 UTC the day before)
    # The next day, 13 June becomes settled and is read once; 12 June stays cached.
    later = NOW + timedelta(hours=20)  # 16 June in Berlin, within the cache's day
    with time_machine.travel(later, tick=False):
        third = shares_by_day(world, web.pk, later)
    assert third[date(2026, 6, 12)] == 0.0
    assert third[date(2026, 6, 14)] == 300.0
