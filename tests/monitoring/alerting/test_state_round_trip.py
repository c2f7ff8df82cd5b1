"""An alert row stores the engine's state field by field and gives back the same state."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from steward.monitoring.models import Alert
from steward.monitoring.rules.model import AlertState, Forecast, Phase, Suppression
from steward.monitoring.services.alert_state import put_state, state_of

# Hypothesis takes naive bounds and attaches the zone itself.
MOMENTS = st.datetimes(
    min_value=datetime(2000, 1, 1),  # noqa: DTZ001
    max_value=datetime(2100, 1, 1),  # noqa: DTZ001
    timezones=st.just(UTC),
)
NUMBERS = st.floats(allow_nan=False, allow_infinity=False, width=64)
FORECASTS = st.builds(
    Forecast,
    computed_at=MOMENTS,
    slope_per_second=NUMBERS,
    value_now=NUMBERS,
    crossing_at=st.none() | MOMENTS,
    points=st.integers(0, 10_000),
    span_seconds=st.floats(0, 1e9),
)
STATES = st.builds(
    AlertState,
    key=st.just("cpu-high:0123"),
    phase=st.sampled_from(Phase),
    pending_since=st.none() | MOMENTS,
    firing_since=st.none() | MOMENTS,
    evaluated_at=st.none() | MOMENTS,
    notified=st.sampled_from(Phase),
    changes=st.lists(MOMENTS, max_size=6).map(tuple),
    flapping_since=st.none() | MOMENTS,
    suppressed=st.none() | st.sampled_from(Suppression),
    value=st.none() | NUMBERS,
    forecast=st.none() | FORECASTS,
    next_evaluation_at=st.none() | MOMENTS,
)


@given(STATES)
def test_state_round_trips_through_the_row(state: AlertState) -> None:
    alert = Alert()
    put_state(alert, state)
    assert state_of(alert, state.key, None) == state
