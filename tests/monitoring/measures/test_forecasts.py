"""Problems forecast and prevented: a forecast alert's ticket resolved before the predicted
crossing prevents the problem; at the crossing instant it does not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from steward.monitoring.measures.forecasts import crossing_from_reason
from steward.monitoring.models import AlertRule
from steward.monitoring.rules.defaults import DISK_FORECAST
from steward.monitoring.rules.describe import reason
from steward.monitoring.rules.model import Forecast, TransitionKind
from steward.servicedesk.models import Ticket
from tests.conftest import World
from tests.monitoring.measures.conftest import DEC_2, NOV_END, NOV_START, run
from tests.monitoring.measures.incidents import alert, asset, event, fire, resolve

FORECAST = "monitoring.problems_forecast"
PREVENTED = "monitoring.problems_prevented"
T = NOV_START + timedelta(days=3)
HOUR = timedelta(hours=1)


def predicted(fired: datetime, crossing: datetime) -> str:
    """The firing reason the rule engine writes for this prediction."""
    fit = Forecast(fired, 1e-5, 90.0, crossing, 288, 86_400.0)
    return reason(DISK_FORECAST, TransitionKind.FIRING, 90.0, fit)


def forecast_incident(world: World, name: str, fired: datetime, crossing: datetime) -> Ticket:
    disk = alert(world.acme, asset(world.acme, name), rule_id="disk-forecast")
    return fire(disk, fired, predicted(fired, crossing))


def test_tickets_resolved_before_the_crossing_prevented_their_problem(world: World) -> None:
    crossing = T + 48 * HOUR
    resolve(forecast_incident(world, "a", T, crossing), crossing - timedelta(minutes=1))
    resolve(forecast_incident(world, "b", T, crossing), crossing)  # at the crossing: too late
    forecast_incident(world, "c", T, NOV_END + 48 * HOUR)  # open, crossing ahead: undecided
    forecast_incident(world, "d", T, T + HOUR)  # open, crossing passed: not prevented
    # Not forecasts: a threshold alert, and a forecast whose firing opened no ticket.
    fire(alert(world.acme, asset(world.acme, "e"), rule_id="disk-full"), T)
    quiet = alert(world.acme, asset(world.acme, "f"), rule_id="disk-forecast")
    event(quiet, "firing", T, predicted(T, crossing), told=False)
    assert run(FORECAST, world.acme).value == 4
    prevented = run(PREVENTED, world.acme)
    assert prevented.value == 1
    assert prevented.inputs == prevented.inputs | {
        "forecast": 4,
        "prevented": 1,
        "not_prevented": 2,
        "undecided": 1,
    }
    assert "not prevented" in prevented.evidence[0].label
    assert run(PREVENTED, world.acme, share=True).value == Decimal("33.3333")


def test_extra_forecast_rules_count_too(world: World) -> None:
    AlertRule.objects.create(
        client=world.acme, rule_id="db-growth", kind="forecast", metric="db_size_bytes"
    )
    db = alert(world.acme, asset(world.acme), rule_id="db-growth")
    fire(db, T, predicted(T, T + 72 * HOUR))
    assert run(FORECAST, world.acme).value == 1
    assert run(FORECAST, world.globex).value == 0
    assert run(PREVENTED, world.globex, share=True).note == "No forecast problem is decided yet."


def test_only_firings_in_the_period_count(world: World) -> None:
    for n, at in enumerate((NOV_START, NOV_END - timedelta(seconds=1), NOV_END)):
        forecast_incident(world, f"srv{n}", at, at + 72 * HOUR)
    assert run(FORECAST, world.acme).value == 2
    assert run(FORECAST, world.acme, now=DEC_2 + timedelta(days=40)).value == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "disk_used_percent predicted to reach 100 at 2026-11-30T14:00+00:00 (in ~2.3 days)",
            datetime(2026, 11, 30, 14, tzinfo=UTC),
        ),
        (
            "x predicted to reach 95.5 at 2026-01-02T03:04:05.5Z",
            datetime(2026, 1, 2, 3, 4, 5, 500000, tzinfo=UTC),
        ),
        ("x predicted to reach 100 at 2026-11-30T14:00", None),  # no zone: not trusted
        ("x predicted to reach 100 at 2026-13-30T14:00+00:00", None),  # not a date
        ("disk_used_percent predicted to reach 100", None),  # no crossing known
        ("", None),
    ],
)
def test_crossing_from_reason(text: str, expected: datetime | None) -> None:
    assert crossing_from_reason(text) == expected


@given(st.text())
def test_crossing_parser_never_crashes(text: str) -> None:
    found = crossing_from_reason(text)
    assert found is None or found.tzinfo is not None


@given(st.integers(min_value=0, max_value=100 * 365 * 24 * 60))
def test_the_engine_s_reason_round_trips(minutes: int) -> None:
    crossing = datetime(2000, 1, 1, tzinfo=UTC) + timedelta(minutes=minutes)
    text = predicted(crossing - timedelta(days=2), crossing)
    assert crossing_from_reason(text) == crossing
