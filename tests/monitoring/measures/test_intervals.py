"""Check results as up/down/unknown time: exact table cases, and a property over any input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from steward.monitoring.choices import CheckStatus
from steward.monitoring.measures.intervals import durations

T0 = datetime(2026, 11, 1, tzinfo=UTC)
START, END = T0, T0 + timedelta(hours=1)
STALE = timedelta(minutes=15)
OK, WARN, CRIT, UNK = (CheckStatus.OK, CheckStatus.WARNING, CheckStatus.CRITICAL,
                       CheckStatus.UNKNOWN)  # fmt: skip


def m(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


CASES = [
    # (results, (up, down, unknown) in minutes)
    ([], (0, 0, 60)),
    # The result in force at the start counts from the start, until it goes stale.
    ([(m(-5), OK)], (10, 0, 50)),
    ([(m(-15), OK)], (0, 0, 60)),  # stale exactly at the start
    ([(m(-15) + timedelta(microseconds=1), OK)], (1 / 60e6, 0, 60 - 1 / 60e6)),
    # Results every 10 minutes: all known; an outage of two results is 20 minutes down.
    ([(m(t), OK) for t in range(0, 60, 10)], (60, 0, 0)),
    (
        [(m(0), OK), (m(10), CRIT), (m(20), CRIT), (m(30), OK), (m(40), OK), (m(50), OK)],
        (40, 20, 0),
    ),
    # A result exactly at the end covers nothing; one just before covers its last instant.
    ([(m(50), OK), (m(60), CRIT)], (10, 0, 50)),
    # Unknown states and the gap after a stale result are unknown time.
    ([(m(0), UNK), (m(10), OK)], (15, 0, 45)),
    ([(m(0), OK), (m(40), OK)], (30, 0, 30)),
]


@pytest.mark.parametrize(("results", "expected"), CASES)
def test_split_of_an_hour(results: list[tuple[datetime, str]], expected: tuple[float, ...]) -> None:
    time = durations(results, START, END, STALE)
    got = (time.up / 60, time.down / 60, time.unknown / 60)
    assert got == pytest.approx(expected, abs=1e-6)


def test_warning_counts_as_up_unless_told_otherwise() -> None:
    results = [(m(0), OK), (m(10), WARN), (m(20), OK), (m(30), OK), (m(40), OK), (m(50), OK)]
    assert durations(results, START, END, STALE).down == 0
    assert durations(results, START, END, STALE, warning_is_up=False).down == 600


def test_consecutive_down_results_make_one_outage() -> None:
    results = [(m(0), CRIT), (m(10), CRIT), (m(20), OK), (m(30), CRIT), (m(40), OK)]
    time = durations(results, START, END, STALE)
    assert time.outages == [(m(0), m(20)), (m(30), m(40))]


def test_an_empty_span_has_no_time() -> None:
    assert durations([(m(0), OK)], END, START, STALE).up == 0


STATES = st.sampled_from([*CheckStatus.values, "garbage"])
OFFSETS = st.integers(min_value=-7200, max_value=7200)


@given(st.lists(st.tuples(OFFSETS, STATES), max_size=30), st.integers(1, 5000), st.booleans())
def test_time_always_adds_up_to_the_span(
    raw: list[tuple[int, str]], stale_s: int, warning_is_up: bool
) -> None:
    results = sorted((T0 + timedelta(seconds=s), state) for s, state in raw)
    time = durations(results, START, END, timedelta(seconds=stale_s), warning_is_up)
    assert min(time.up, time.down, time.unknown) >= 0
    assert time.up + time.down + time.unknown == pytest.approx(3600)
    assert all(START <= lo < hi <= END for lo, hi in time.outages)
