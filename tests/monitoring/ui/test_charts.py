"""The chart geometry (steward/monitoring/charts.py): pure, no Django."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from steward.monitoring.charts import (
    HEIGHT,
    WIDTH,
    Trend,
    nice_step,
    runs,
    state_strip,
    time_chart,
    time_ticks,
    value_range,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def ts(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


def test_runs_split_where_points_are_missing() -> None:
    points = [(0.0, 1.0), (60.0, 2.0), (120.0, 3.0), (600.0, 4.0), (660.0, 5.0)]
    assert runs(points) == [[(0.0, 1.0), (60.0, 2.0), (120.0, 3.0)], [(600.0, 4.0), (660.0, 5.0)]]
    assert runs(points, max_gap=1000) == [points]


def test_a_nan_value_breaks_the_line() -> None:
    points = [(0.0, 1.0), (60.0, math.nan), (120.0, 3.0), (180.0, 4.0)]
    assert runs(points, max_gap=1000) == [[(0.0, 1.0)], [(120.0, 3.0), (180.0, 4.0)]]


def test_a_known_series_gives_its_path_points() -> None:
    start = ts("2026-11-29T00:00:00+00:00")
    # Ten minutes wide, values 0..100 fixed: x = 48 + t/600*580, y = 156 - v/100*146.
    points = [(start, 0.0), (start + 300, 50.0), (start + 600, 100.0)]
    chart = time_chart(points, start, start + 600, UTC, low=0, high=100)
    assert chart.lines == ["M48,156 L338,83 L628,10"]
    assert chart.areas == ["M48,156 L48,156 L338,83 L628,10 L628,156 Z"]
    assert [t.label for t in chart.y_ticks] == ["0", "25", "50", "75", "100"]
    assert chart.points == 3
    assert not chart.empty


def test_a_gap_makes_two_paths() -> None:
    start = 1_800_000_000.0
    points = [(start + i * 60, 10.0) for i in range(5)] + [
        (start + 3600 + i * 60, 20.0) for i in range(5)
    ]
    chart = time_chart(points, start, start + 7200, UTC, low=0, high=100)
    assert len(chart.lines) == 2
    assert len(chart.areas) == 2
    assert chart.lines[1].startswith("M338,")  # 3600 s of 7200: the middle of 580 units


def test_the_forecast_line_runs_to_the_limit() -> None:
    start = ts("2026-11-29T00:00:00+00:00")
    end = start + 86_400
    now = start + 43_200
    # 80 % now, +10 % per 6 hours: the limit of 100 % 12 hours from now, at the right edge.
    trend = Trend(now=now, value_now=80.0, slope=10 / 21_600, crossing=now + 43_200)
    chart = time_chart([(now, 80.0)], start, end, UTC, low=0, high=100, limit=100, trend=trend)
    assert chart.forecast is not None
    assert chart.forecast.reaches_limit
    assert (chart.forecast.x1, chart.forecast.y1) == (338.0, 39.2)
    assert (chart.forecast.x2, chart.forecast.y2) == (628.0, 10.0)
    assert chart.limit_y == 10.0


def test_a_crossing_beyond_the_chart_stops_at_its_edge() -> None:
    start, end = 0.0, 1000.0
    trend = Trend(now=500.0, value_now=50.0, slope=0.01, crossing=5500.0)
    chart = time_chart([(500.0, 50.0)], start, end, UTC, low=0, high=100, limit=100, trend=trend)
    assert chart.forecast is not None
    assert not chart.forecast.reaches_limit
    assert chart.forecast.x2 == WIDTH - 12
    assert chart.forecast.y2 == round(HEIGHT - 24 - 0.55 * 146, 1)


def test_hour_ticks_are_local_wall_clock_hours() -> None:
    start = ts("2026-11-29T00:00:00+00:00")  # 01:00 in Berlin (CET)
    ticks = time_ticks(start, start + 86_400, BERLIN)
    labels = [label for _, label in ticks]
    assert labels == ["03:00", "06:00", "09:00", "12:00", "15:00", "18:00", "21:00", "30 Nov"]
    assert ticks[0][0] == ts("2026-11-29T03:00:00+01:00")


def test_a_spring_forward_day_has_23_hours_between_midnights() -> None:
    # Berlin, 29 March 2026: 02:00 CET jumps to 03:00 CEST.
    start = ts("2026-03-28T12:00:00+01:00")
    ticks = time_ticks(start, start + 3 * 86_400, BERLIN)
    midnights = [t for t, label in ticks if label in ("29 Mar", "30 Mar")]
    assert midnights[1] - midnights[0] == 23 * 3600
    day = time_ticks(ts("2026-03-29T00:00:00+01:00"), ts("2026-03-30T00:00:00+02:00"), BERLIN)
    # Three-hour ticks on the wall clock: 03:00 CEST is two real hours after local midnight.
    assert day[1] == (ts("2026-03-29T03:00:00+02:00"), "03:00")
    assert day[1][0] - day[0][0] == 2 * 3600
    assert [label for _, label in day][-1] == "30 Mar"


def test_an_hour_that_does_not_exist_gets_no_tick() -> None:
    start = ts("2026-03-29T00:00:00+01:00")
    labels = [label for _, label in time_ticks(start, start + 5 * 3600, BERLIN)]
    assert "02:00" not in labels
    assert labels == ["29 Mar", "01:00", "03:00", "04:00", "05:00", "06:00"]


def test_a_fall_back_day_has_25_hours_between_midnights() -> None:
    # New York, 1 November 2026: 02:00 EDT falls back to 01:00 EST.
    start = ts("2026-10-31T12:00:00-04:00")
    ticks = time_ticks(start, start + 3 * 86_400, NEW_YORK)
    midnights = dict((label, t) for t, label in ticks)
    assert midnights["2 Nov"] - midnights["1 Nov"] == 25 * 3600


def test_the_chart_places_ticks_in_the_clients_zone() -> None:
    start = ts("2026-11-29T00:00:00+00:00")
    berlin = time_chart([(start, 1.0)], start, start + 86_400, BERLIN)
    utc = time_chart([(start, 1.0)], start, start + 86_400, UTC)
    assert berlin.x_ticks[0].label == "03:00"
    assert utc.x_ticks[0].label == "29 Nov"
    assert berlin.x_ticks[0].pos != utc.x_ticks[0].pos


def test_an_empty_series_draws_no_line() -> None:
    chart = time_chart([], 0.0, 3600.0, UTC)
    assert chart.empty
    assert chart.lines == []
    assert chart.forecast is None


def test_an_empty_chart_says_so_in_its_middle() -> None:
    assert time_chart([], 0.0, 3600.0, UTC).middle_x == (48 + 628) / 2


def test_bad_range_is_refused() -> None:
    with pytest.raises(ValueError, match="end"):
        time_chart([], 10.0, 10.0, UTC)


def test_nice_steps_and_ranges() -> None:
    assert nice_step(100) == 25
    assert nice_step(7) == 2
    assert value_range([3.2, 7.9], None, None) == (2, 8)
    assert value_range([5.0], None, None) == (4, 6)


def test_state_strip_bands_cover_the_range() -> None:
    bands = state_strip([(-50.0, "ok", "a"), (25.0, "critical", "b"), (75.0, "ok", "c")], 0, 100)
    assert [(b.x, b.width, b.state) for b in bands] == [
        (0, 60.0, "ok"),
        (60.0, 120.0, "critical"),
        (180.0, 60.0, "ok"),
    ]


finite = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False)


@given(st.lists(st.tuples(st.floats(0, 10_000), st.one_of(finite, st.just(math.nan))), max_size=60))
def test_any_series_draws_inside_the_plot(raw: list[tuple[float, float]]) -> None:
    chart = time_chart(sorted(raw), 0.0, 10_000.0, BERLIN)
    for line in chart.lines:
        for part in line.split():
            x, y = (float(n) for n in part[1:].split(","))
            assert chart.left <= x <= chart.right
            assert chart.top - 0.1 <= y <= chart.bottom + 0.1
