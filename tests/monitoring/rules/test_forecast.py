"""Forecast rules: a least-squares line over the window, firing when the limit is near."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from steward.monitoring.rules.defaults import DISK_FORECAST
from steward.monitoring.rules.evaluate import evaluate
from steward.monitoring.rules.model import AlertState, Phase, SeriesWindow, Transition
from tests.monitoring.rules.clock import S0, T0, at

STEP, DAY = 300, 86_400


def window_at(values_at: Callable[[float], float], offset: float) -> SeriesWindow:
    """The 24 h window of 5-minute samples ending at ``offset`` (samples from offset 0 on)."""
    first = max(0.0, offset - DAY)
    times = np.arange(first, offset + 1, STEP, dtype=np.float64)
    return SeriesWindow("disk:/", tuple((S0 + t, values_at(t)) for t in times.tolist()))


def drive(
    values_at: Callable[[float], float], days: float, every: int = 1800
) -> tuple[list[Transition], AlertState | None]:
    """Evaluate every ``every`` seconds over ``days``, feeding the 24 h window each time."""
    state: AlertState | None = None
    log: list[Transition] = []
    for offset in range(0, int(days * DAY) + 1, every):
        window = window_at(values_at, offset)
        state, found = evaluate(DISK_FORECAST, window, state, at(offset))
        log.extend(found)
    return log, state


def growing(offset: float) -> float:
    return 80.0 + 2.0 * offset / DAY  # 2 %/day from 80 %: full after 10 days


def test_growth_of_two_percent_a_day_fires_when_full_is_seven_days_away() -> None:
    log, state = drive(growing, days=4)
    assert [t.kind.value for t in log] == ["firing"]
    fired = log[0]
    # 86 % at day 3: 86 + 7 * 2 = 100 (evaluated every 30 minutes, day 3 is one of them)
    assert fired.at == at(3 * DAY)
    assert fired.notify
    assert fired.forecast is not None
    assert fired.forecast.crossing_at is not None
    assert abs((fired.forecast.crossing_at - at(10 * DAY)).total_seconds()) < 60
    assert fired.forecast.slope_per_second == pytest.approx(2.0 / DAY)
    assert "predicted to reach 100 at" in fired.reason
    assert "(in ~7.0 days)" in fired.reason
    assert state is not None
    assert state.phase is Phase.FIRING
    assert state.forecast is not None
    assert state.forecast.value_now == pytest.approx(88.0)


@pytest.mark.parametrize(
    ("offset", "fires"),
    [(3 * DAY - 1, False), (3 * DAY, True)],
)
def test_the_instant_full_comes_within_seven_days(offset: int, fires: bool) -> None:
    _, found = evaluate(DISK_FORECAST, window_at(growing, offset), None, at(offset))
    assert [t.kind.value for t in found] == (["firing"] if fires else [])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_noise_around_a_flat_level_does_not_fire(seed: int) -> None:
    noise = np.random.default_rng(seed).normal(0.0, 3.0, size=5 * DAY // STEP + 1)

    def noisy(offset: float) -> float:
        return 85.0 + float(noise[int(offset) // STEP])

    log, state = drive(noisy, days=5, every=900)
    assert log == []
    assert state is not None
    assert state.forecast is not None
    assert state.forecast.crossing_at is None or state.forecast.crossing_at > at(5 * DAY + 7 * DAY)


def test_a_cleanup_resolves() -> None:
    def cleaned(offset: float) -> float:
        return growing(offset) if offset < 4 * DAY else 40.0

    log, state = drive(cleaned, days=5)
    assert [t.kind.value for t in log] == ["firing", "resolved"]
    assert log[1].at < at(4 * DAY + DAY)
    assert state is not None
    assert state.phase is Phase.OK


@pytest.mark.parametrize(
    ("count", "spacing"),
    [
        (11, 3600),  # fewer than min_points (12)
        (60, 60),  # 59 minutes: shorter than min_span_seconds (6 h)
    ],
)
def test_too_little_data_decides_nothing(count: int, spacing: int) -> None:
    points = tuple((S0 + i * spacing, 99.0 + i) for i in range(count))
    now = at((count - 1) * spacing)
    state, found = evaluate(DISK_FORECAST, SeriesWindow("d", points), None, now)
    assert found == []
    assert state.forecast is None
    assert state.phase is Phase.OK


def test_points_outside_the_window_are_not_fitted() -> None:
    old = tuple((S0 - 3 * DAY + i * 3600, 99.0) for i in range(24))
    recent = tuple((S0 + i * 3600, 50.0) for i in range(24))
    state, found = evaluate(DISK_FORECAST, SeriesWindow("d", old + recent), None, at(23 * 3600))
    assert found == []
    assert state.forecast is not None
    assert state.forecast.points == 24
    assert state.forecast.value_now == pytest.approx(50.0)
    assert state.forecast.crossing_at is None
    assert state.forecast.computed_at > T0
