"""Business time: known answers on DST weekends, holidays and year ends; properties on random
calendars; the batch forms against the scalar ones; and a brute-force oracle."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from steward.core import businesstime as bt
from steward.core.calendarspec import CalendarSpec, parse_calendar
from tests.core.calendar_strategies import Oracle, calendar_json, instants

H = 3600
BERLIN, NEW_YORK = ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")
WORKDAYS = ("mon", "tue", "wed", "thu", "fri")


def cal(zone: str, hours: Any, **extra: Any) -> CalendarSpec:
    return parse_calendar({"timezone": zone, "hours": hours} | extra)


def office(zone: str = "Europe/Berlin", **extra: Any) -> CalendarSpec:
    return cal(zone, {d: [["09:00", "17:00"]] for d in WORKDAYS}, **extra)


def local(zone: ZoneInfo, *parts: int) -> datetime:
    return datetime(*parts, tzinfo=zone)


# --- Known answers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "day", "hours"),
    [
        (BERLIN, (2026, 3, 29), 23),
        (BERLIN, (2026, 10, 25), 25),
        (NEW_YORK, (2026, 3, 8), 23),
        (NEW_YORK, (2026, 11, 1), 25),
        (ZoneInfo("Australia/Lord_Howe"), (2026, 4, 5), 24.5),
        (ZoneInfo("Australia/Lord_Howe"), (2026, 10, 4), 23.5),
        (ZoneInfo("America/Sao_Paulo"), (2018, 11, 4), 23),  # clocks jumped from 00:00 to 01:00
        (ZoneInfo("America/Sao_Paulo"), (2019, 2, 16), 25),  # 23:00-24:00 happened twice
    ],
)
def test_24x7_day_lengths_on_dst_days(
    zone: ZoneInfo, day: tuple[int, int, int], hours: float
) -> None:
    spec = cal(zone.key, "24x7")
    start = local(zone, *day)
    end = local(zone, *(start.date() + timedelta(days=1)).timetuple()[:3])
    assert bt.between(spec, start, end) == hours * H
    assert bt.add(spec, start, int(hours * H)) == end


@pytest.mark.parametrize(
    ("zone", "saturday", "hours"),
    [
        (BERLIN, (2026, 3, 28), 7),
        (BERLIN, (2026, 10, 24), 9),
        (NEW_YORK, (2026, 3, 7), 7),
        (NEW_YORK, (2026, 10, 31), 9),
        (BERLIN, (2026, 3, 21), 8),
    ],
)
def test_overnight_interval_on_dst_nights(
    zone: ZoneInfo, saturday: tuple[int, int, int], hours: int
) -> None:
    spec = cal(zone.key, {"sat": [["22:00", "06:00"]]})
    start = local(zone, *saturday)
    assert bt.between(spec, start, start + timedelta(days=3)) == hours * H
    sunday_six = local(zone, *saturday, 6) + timedelta(days=1)
    assert bt.add(spec, start, hours * H) == sunday_six
    assert bt.add(spec, start, hours * H).hour == 6


def test_public_holiday_is_closed() -> None:
    spec = office(holidays={"country": "DE", "subdivision": "BE"})
    thursday, monday = local(BERLIN, 2026, 4, 30, 9), local(BERLIN, 2026, 5, 4, 17)
    assert bt.between(spec, thursday, monday) == 16 * H  # Friday 1 May is Labour Day
    assert bt.add(spec, local(BERLIN, 2026, 4, 30, 16), 2 * H) == local(BERLIN, 2026, 5, 4, 10)
    assert bt.between(office(), thursday, monday) == 24 * H


def test_new_year_across_the_year_end() -> None:
    spec = office(holidays={"country": "DE", "subdivision": "BE"})
    # Thu 31 Dec 2026 is a working day, Fri 1 Jan 2027 a holiday.
    assert bt.add(spec, local(BERLIN, 2026, 12, 31, 16), 2 * H) == local(BERLIN, 2027, 1, 4, 10)
    assert bt.between(spec, local(BERLIN, 2026, 12, 31), local(BERLIN, 2027, 1, 5)) == 16 * H
    overnight = cal("Europe/Berlin", {"thu": [["22:00", "06:00"]]})
    assert (
        bt.between(overnight, local(BERLIN, 2026, 12, 31, 23), local(BERLIN, 2027, 1, 2)) == 7 * H
    )


def test_lunch_break() -> None:
    spec = cal("Europe/Berlin", {d: [["09:00", "12:30"], ["13:30", "17:30"]] for d in WORKDAYS})
    monday = local(BERLIN, 2026, 6, 1)
    assert bt.between(spec, monday, monday + timedelta(days=1)) == 7.5 * H
    assert bt.add(spec, local(BERLIN, 2026, 6, 1, 12), H) == local(BERLIN, 2026, 6, 1, 14)
    assert bt.add(spec, local(BERLIN, 2026, 6, 1, 12, 45), 1) == local(
        BERLIN, 2026, 6, 1, 13, 30, 1
    )
    # The s-th second ends exactly at the interval end, not at the next opening.
    assert bt.add(spec, local(BERLIN, 2026, 6, 1, 12), 30 * 60) == local(BERLIN, 2026, 6, 1, 12, 30)


def test_overnight_interval_belongs_to_the_day_it_starts_on() -> None:
    spec = cal(
        "Europe/Berlin",
        {d: [["22:00", "06:00"]] for d in ("thu", "fri")},
        holidays={"country": "DE", "subdivision": "BE"},
    )
    # Thu 30 Apr 22:00 -> Fri 1 May 06:00 is open although 1 May is a holiday;
    # Fri 1 May 22:00 -> Sat 06:00 is closed because it starts on the holiday.
    assert bt.between(spec, local(BERLIN, 2026, 4, 30), local(BERLIN, 2026, 5, 3)) == 8 * H
    assert bt.add(spec, local(BERLIN, 2026, 5, 1, 5), 2 * H) == local(BERLIN, 2026, 5, 7, 23)


def test_wall_clock_rule_in_the_fold_and_the_gap() -> None:
    fold = cal("America/New_York", {"sun": [["01:30", "05:00"]]})
    sunday = local(NEW_YORK, 2026, 11, 1)
    # 01:30-02:00 EDT, then 01:00-01:30 EST reads earlier than 01:30 (closed), then to 05:00 EST.
    assert bt.between(fold, sunday, sunday + timedelta(days=1)) == 4 * H
    twice = cal("America/New_York", {"sun": [["01:00", "01:30"]]})
    assert bt.between(twice, sunday, sunday + timedelta(days=1)) == H
    gap = cal("America/New_York", {"sun": [["02:30", "05:00"]]})
    spring = local(NEW_YORK, 2026, 3, 8)
    # 02:30 never shows on 8 March; the clock reads 03:00 straight after 01:59:59: open from then.
    assert bt.between(gap, spring, spring + timedelta(days=1)) == 2 * H
    assert bt.add(gap, spring, 1) == local(NEW_YORK, 2026, 3, 8, 3, 0, 1)


def test_closures_and_extra_days() -> None:
    spec = office(closures=["2026-12-24"], extra_days={"2026-12-27": [["10:00", "14:00"]]})
    week = local(BERLIN, 2026, 12, 21), local(BERLIN, 2026, 12, 28)
    assert bt.between(spec, *week) == (4 * 8 + 4) * H
    assert bt.add(spec, local(BERLIN, 2026, 12, 23, 17), 1) == local(BERLIN, 2026, 12, 25, 9, 0, 1)


# --- Edges of the API ------------------------------------------------------------------------


def test_zero_and_closed_instants() -> None:
    spec = office()
    saturday = datetime(2026, 6, 6, 10, tzinfo=UTC)
    assert bt.add(spec, saturday, 0) == saturday
    assert bt.add(spec, saturday, 0).tzinfo == BERLIN
    assert bt.add(spec, saturday, 1) == local(BERLIN, 2026, 6, 8, 9, 0, 1)
    assert bt.between(spec, saturday, saturday + timedelta(hours=20)) == 0
    assert bt.between(spec, saturday + timedelta(days=2), saturday) == 0


def test_result_is_in_the_calendar_zone() -> None:
    result = bt.add(office(), datetime(2026, 6, 8, 7, tzinfo=UTC), 60)
    assert result.tzinfo == BERLIN
    assert result == local(BERLIN, 2026, 6, 8, 9, 1)


def test_fractional_seconds_count_from_the_start_of_their_second() -> None:
    spec = cal("UTC", "24x7")
    t = datetime(2026, 1, 5, 9, 0, 0, 700_000, tzinfo=UTC)
    assert bt.between(spec, t, t + timedelta(microseconds=500_000)) == 1
    assert bt.add(spec, t, 0) == t
    assert bt.add(spec, t, 5) == datetime(2026, 1, 5, 9, 0, 5, tzinfo=UTC)


def test_bad_arguments() -> None:
    spec = office()
    with pytest.raises(ValueError, match="naive"):
        bt.add(spec, datetime(2026, 1, 5, 9), 10)  # noqa: DTZ001 - the point of the test
    with pytest.raises(ValueError, match="naive"):
        bt.between(spec, datetime(2026, 1, 5, tzinfo=UTC), datetime(2026, 1, 6))  # noqa: DTZ001
    with pytest.raises(ValueError, match="negative"):
        bt.add(spec, datetime(2026, 1, 5, tzinfo=UTC), -1)
    with pytest.raises(ValueError, match="negative"):
        bt.add_many(spec, np.array([0]), np.array([-5]))
    with pytest.raises(ValueError, match="NaT"):
        bt.add_many(spec, np.array(["NaT"], dtype="datetime64[s]"), np.array([5]))
    with pytest.raises(TypeError):
        bt.add_many(spec, np.array([1.5]), np.array([5]))


def test_calendar_without_opening_hours() -> None:
    never = cal("UTC", {})
    start = datetime(2026, 1, 5, tzinfo=UTC)
    assert bt.between(never, start, start + timedelta(days=400)) == 0
    with pytest.raises(ValueError, match="no business time"):
        bt.add(never, start, 1)
    only_once = cal("UTC", {}, extra_days={"2027-03-01": [["10:00", "11:00"]]})
    assert bt.add(only_once, start, 60) == datetime(2027, 3, 1, 10, 1, tzinfo=UTC)
    with pytest.raises(ValueError, match="no business time"):
        bt.add(only_once, start, 3601)


def test_long_durations_extend_the_compiled_years() -> None:
    spec = office(holidays={"country": "DE", "subdivision": "BE"})
    compiled = bt.CompiledCalendar(spec)
    start = local(BERLIN, 2026, 6, 1, 9)
    later = bt.add(compiled, start, 3000 * H)  # about a year and a half of working hours
    assert later.year == 2027 or later.year == 2028
    assert bt.between(compiled, start, later) == 3000 * H
    earlier = local(BERLIN, 2019, 6, 3, 9)
    assert bt.between(compiled, earlier, start) == bt.between(spec, earlier, start)


def test_batch_forms_accept_datetime64_and_broadcast() -> None:
    spec = office()
    starts = np.array(["2026-06-08T07:00:00.900", "2026-06-06T12:00"], dtype="datetime64[ms]")
    found = bt.add_many(spec, starts, 60)
    assert found.dtype == np.dtype("datetime64[s]")
    assert found.tolist() == [datetime(2026, 6, 8, 7, 1), datetime(2026, 6, 8, 7, 1)]  # noqa: DTZ001
    ints = starts.astype("datetime64[s]").astype(np.int64)
    assert bt.between_many(spec, ints, ints + 86400).tolist() == [8 * H, 0]
    assert bt.add_many(spec, ints, np.array([0, 0])).tolist() == ints.tolist()
    assert bt.add_many(spec, np.array([], dtype=np.int64), np.array([], dtype=np.int64)).size == 0


# --- Properties on random calendars -----------------------------------------------------------

durations = st.one_of(st.integers(0, 3 * 86400), st.sampled_from([0, 1, 59, 60, 3600, 8 * 3600]))
fast = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def utc(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


@fast
@given(calendar_json(), instants(), durations, durations, st.integers(0, 999_999))
def test_add_and_between_properties(
    data: dict[str, Any], start: int, a: int, b: int, micros: int
) -> None:
    spec = parse_calendar(data)
    t = utc(start) + timedelta(microseconds=micros)
    assume(spec.weekly != ((),) * 7)
    # Compared in UTC: equal wall-clock readings in one zone can be different instants (folds).
    after_a, after_ab = bt.add(spec, t, a).astimezone(UTC), bt.add(spec, t, a + b).astimezone(UTC)
    assert bt.between(spec, t, after_a) == a
    assert bt.between(spec, t, after_ab) == a + b
    assert bt.add(spec, after_a, b).astimezone(UTC) == after_ab  # additive
    assert t <= after_a <= after_ab  # monotonic
    if a > 0:  # the a-th second is business time, so the result is never inside closed time
        assert bt.between(spec, after_a - timedelta(seconds=1), after_a) == 1
    middle = t + (after_ab - t) / 3
    assert bt.between(spec, t, middle) + bt.between(spec, middle, after_ab) == a + b


@fast
@given(calendar_json(), instants(), instants())
def test_between_is_additive_and_zero_when_closed(data: dict[str, Any], x: int, y: int) -> None:
    spec = parse_calendar(data)
    lo, hi = sorted((x, y))
    middle = (lo + hi) // 2
    total = bt.between(spec, utc(lo), utc(hi))
    assert total == bt.between(spec, utc(lo), utc(middle)) + bt.between(spec, utc(middle), utc(hi))
    assert 0 <= total <= hi - lo
    assert bt.between(spec, utc(hi), utc(lo)) == 0
    # From any instant to the next business second, nothing is counted.
    if spec.weekly != ((),) * 7:
        first = bt.add(spec, utc(lo), 1).astimezone(UTC) - timedelta(seconds=1)
        assert bt.between(spec, utc(lo), first) == 0


@fast
@given(calendar_json(), st.lists(instants(), min_size=1, max_size=30), st.data())
def test_batch_equals_scalar(data: dict[str, Any], starts: list[int], draw: st.DataObject) -> None:
    spec = parse_calendar(data)
    assume(spec.weekly != ((),) * 7)
    seconds = draw.draw(st.lists(durations, min_size=len(starts), max_size=len(starts)))
    ends = draw.draw(st.lists(instants(), min_size=len(starts), max_size=len(starts)))
    found = bt.add_many(spec, np.array(starts), np.array(seconds))
    assert found.tolist() == [
        int(bt.add(spec, utc(s), n).timestamp()) for s, n in zip(starts, seconds, strict=True)
    ]
    spans = bt.between_many(spec, np.array(starts), np.array(ends))
    assert spans.tolist() == [
        bt.between(spec, utc(s), utc(e)) for s, e in zip(starts, ends, strict=True)
    ]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(calendar_json(), instants(), st.integers(0, 2 * 86400), st.integers(0, 6 * 3600))
def test_against_the_brute_force_oracle(
    data: dict[str, Any], start: int, span: int, n: int
) -> None:
    spec = parse_calendar(data)
    oracle = Oracle(spec)
    assert bt.between(spec, utc(start), utc(start + span)) == oracle.between(start, start + span)
    expected = oracle.add(start, n)
    if expected is not None:
        assert bt.add(spec, utc(start), n).timestamp() == expected


@pytest.mark.parametrize(
    ("zone", "saturdays"),
    [
        ("Europe/Berlin", ("2026-03-28", "2026-10-24")),
        ("America/New_York", ("2026-03-07", "2026-10-31")),
        ("Australia/Lord_Howe", ("2026-04-04", "2026-10-03")),
    ],
)
def test_second_by_second_oracle_on_dst_nights(zone: str, saturdays: tuple[str, str]) -> None:
    hours = {
        "sat": [["21:00", "00:00:20"]],
        "sun": [["00:00:30", "01:00:00"], ["01:30:00", "02:29:59"], ["02:30:01", "03:00:07"]],
    }
    spec = cal(zone, hours)
    oracle = Oracle(spec)
    for saturday in saturdays:
        start = int(
            datetime.fromisoformat(f"{saturday}T20:00").replace(tzinfo=ZoneInfo(zone)).timestamp()
        )
        end = start + 12 * 3600
        assert bt.between(spec, utc(start), utc(end)) == oracle.between(start, end, step=1)


SAO_PAULO_CHANGES = [
    int(datetime(2017, 10, 15, 3, tzinfo=UTC).timestamp()),  # 00:00 became 01:00
    int(datetime(2018, 2, 18, 2, tzinfo=UTC).timestamp()),  # 00:00 became 23:00 the day before
    int(datetime(2018, 11, 4, 3, tzinfo=UTC).timestamp()),
    int(datetime(2019, 2, 17, 2, tzinfo=UTC).timestamp()),
]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    calendar_json(),
    st.sampled_from(SAO_PAULO_CHANGES),
    st.integers(-86400, 86400),
    st.integers(0, 86400),
    st.integers(0, 4 * 3600),
)
def test_oracle_on_sao_paulo_historical_dst(
    data: dict[str, Any], change: int, offset: int, span: int, n: int
) -> None:
    spec = parse_calendar(data | {"timezone": "America/Sao_Paulo"})
    oracle, start = Oracle(spec), change + offset
    assert bt.between(spec, utc(start), utc(start + span)) == oracle.between(start, start + span)
    expected = oracle.add(start, n)
    if expected is not None:
        assert bt.add(spec, utc(start), n).timestamp() == expected


def test_the_date_is_the_one_the_wall_clock_shows() -> None:
    # Sao Paulo, 17 Feb 2019: 00:00 went back to Saturday 23:00, so Saturday had 25 hours.
    zone = ZoneInfo("America/Sao_Paulo")
    start, end = local(zone, 2019, 2, 15), local(zone, 2019, 2, 19)
    saturday = cal(zone.key, {"sat": [["00:00", "24:00"]]})
    sunday = cal(zone.key, {"sun": [["00:00", "24:00"]]})
    assert bt.between(saturday, start, end) == 25 * H
    assert bt.between(sunday, start, end) == 24 * H
