"""monitoring.service_availability over real check results, with exact boundary instants."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from steward.monitoring.models import Check, CheckResult
from tests.conftest import World
from tests.monitoring.measures.conftest import NOV_END, NOV_START, run, tcp_check

KEY = "monitoring.service_availability"
TEN_MIN = timedelta(minutes=10)
# A running November, two hours in (in Berlin): the span is [NOV_START, NOW).
NOW = NOV_START + timedelta(hours=2)


def results(check: Check, start: datetime, states: str) -> None:
    """One result every 10 minutes from ``start``: o = ok, w = warning, c = critical,
    u = unknown."""
    names = {"o": "ok", "w": "warning", "c": "critical", "u": "unknown"}
    CheckResult.objects.bulk_create(
        CheckResult(of_check=check, at=start + n * TEN_MIN, state=names[s])
        for n, s in enumerate(states)
    )


def test_an_outage_lowers_availability_by_its_share_of_the_known_time(world: World) -> None:
    check = tcp_check(world.acme, created_at=NOV_START - timedelta(days=1))
    results(check, NOV_START, "oocccooooooo")  # 2 h: 30 min down
    result = run(KEY, world.acme, now=NOW)
    assert result.value == Decimal("75.0000")
    assert result.evidence[0].ref == f"monitoring.check:{check.pk}"
    assert "down 0 h 30 min in 1 outage" in result.evidence[0].label
    entry = result.inputs["checks"][0]
    assert (entry["up_s"], entry["down_s"], entry["unknown_s"]) == (5400, 1800, 0)
    assert entry["outages"] == [
        [(NOV_START + 2 * TEN_MIN).isoformat(), (NOV_START + 5 * TEN_MIN).isoformat()]
    ]


@pytest.mark.parametrize(
    ("offset", "expected"),
    [
        # The critical result in force at the start (10 minutes before) counts for 20 minutes
        # (it goes stale after 3 intervals; 20-30 min is unknown): 90 of 110 known minutes up...
        (-TEN_MIN, Decimal("81.8182")),
        # ...one at the start instant for its full 30 minutes...
        (timedelta(0), Decimal("75.0000")),
        # ...one stale exactly at the start not at all.
        (-3 * TEN_MIN, Decimal("100.0000")),
    ],
)
def test_the_state_at_the_start_comes_from_the_result_before_it(
    world: World, offset: timedelta, expected: Decimal
) -> None:
    check = tcp_check(world.acme, created_at=NOV_START - timedelta(days=1))
    CheckResult.objects.create(of_check=check, at=NOV_START + offset, state="critical")
    results(check, NOV_START + 3 * TEN_MIN, "ooooooooo")  # 30 min .. 2 h: up
    result = run(KEY, world.acme, now=NOW)
    assert result.value == expected


def test_a_result_at_the_period_end_belongs_to_the_next_period(world: World) -> None:
    check = tcp_check(world.acme, interval_s=86_400, created_at=NOV_START - timedelta(days=1))
    CheckResult.objects.create(of_check=check, at=NOV_START, state="ok")
    CheckResult.objects.create(of_check=check, at=NOV_END - timedelta(days=1), state="ok")
    CheckResult.objects.create(of_check=check, at=NOV_END, state="critical")
    result = run(KEY, world.acme)
    assert result.value == Decimal(100)
    assert result.inputs["checks"][0]["down_s"] == 0


def test_unknown_time_is_left_out_and_stated(world: World) -> None:
    check = tcp_check(world.acme, created_at=NOV_START - timedelta(days=1))
    results(check, NOV_START, "ouuuoc")  # then silent: stale after 30 min
    result = run(KEY, world.acme, now=NOW)
    # Up 10 + 10 min, down 30 min; unknown 30 (u) + 40 (silent) min.
    assert result.value == Decimal("40.0000")
    assert "unknown time left out: 1 h 10 min" in result.note


def test_the_mean_over_checks_and_the_filters(world: World) -> None:
    created = NOV_START - timedelta(days=1)
    mail = tcp_check(world.acme, "mail", created_at=created)
    web = tcp_check(world.acme, "web", created_at=created)
    results(mail, NOV_START, "occooooooooo")  # 20 of 120 min down
    results(web, NOV_START, "owwooooooooo")
    assert run(KEY, world.acme, now=NOW).value == Decimal("91.6667")
    assert run(KEY, world.acme, now=NOW, check_id=web.pk).value == Decimal(100)
    assert run(KEY, world.acme, now=NOW, check_id=web.pk, warning_is_up=False).value == Decimal(
        "83.3333"
    )
    assert run(KEY, world.acme, now=NOW, check_type="http").note.startswith("The client had no")
    assert "check_type" in run(KEY, world.acme, now=NOW, check_type="smtp").note
    assert "check_id" in run(KEY, world.acme, now=NOW, check_id=-1).note
    # The worst check comes first.
    refs = [e.ref for e in run(KEY, world.acme, now=NOW).evidence]
    assert refs == [f"monitoring.check:{mail.pk}", f"monitoring.check:{web.pk}"]


def test_no_results_is_no_data(world: World) -> None:
    tcp_check(world.acme, created_at=NOV_START - timedelta(days=1))
    result = run(KEY, world.acme, now=NOW)
    assert result.value is None
    assert "all time unknown" in result.note
