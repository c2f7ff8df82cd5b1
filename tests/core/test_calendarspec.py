"""The calendar JSON form: what parses, what is refused (naming the field), and fuzzing."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from steward.core.calendarspec import (
    ALL_DAY,
    CalendarError,
    Interval,
    effective_day,
    parse_calendar,
)
from tests.core.calendar_strategies import calendar_json

BERLIN: dict[str, Any] = {
    "name": "Berlin office",
    "timezone": "Europe/Berlin",
    "hours": {
        "mon": [["09:00", "12:30"], ["13:30", "17:30"]],
        "fri": [["09:00", "15:00"], ["22:00", "06:00"]],
    },
    "holidays": {"country": "DE", "subdivision": "BE"},
    "closures": ["2026-12-24"],
    "extra_days": {"2026-12-27": [["10:00", "14:00"]]},
}


def with_(**changes: Any) -> dict[str, Any]:
    return BERLIN | changes


def test_full_example_parses() -> None:
    spec = parse_calendar(BERLIN)
    assert spec.name == "Berlin office"
    assert spec.weekly[0] == (Interval(9 * 3600, 45000), Interval(48600, 63000))
    assert spec.weekly[4][1] == Interval(22 * 3600, 6 * 3600)
    assert spec.weekly[4][1].overnight
    assert spec.weekly[1] == ()
    assert (spec.holiday_country, spec.holiday_subdivision) == ("DE", "BE")
    assert spec.closures == frozenset({date(2026, 12, 24)})
    assert spec.extra_days == ((date(2026, 12, 27), (Interval(36000, 50400),)),)


def test_round_trip_and_hashable() -> None:
    spec = parse_calendar(BERLIN)
    assert parse_calendar(spec.to_json()) == spec
    assert hash(spec) == hash(parse_calendar(BERLIN))


def test_24x7_and_its_long_form_are_the_same_calendar() -> None:
    short = parse_calendar({"timezone": "UTC", "hours": "24x7"})
    long = parse_calendar(
        {
            "timezone": "UTC",
            "hours": {
                d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
            },
        }
    )
    assert short == long
    assert short.weekly == (ALL_DAY,) * 7
    assert short.to_json()["hours"] == "24x7"


def test_touching_intervals_and_seconds_are_allowed() -> None:
    spec = parse_calendar(
        with_(
            hours={"mon": [["12:00", "17:00:30"], ["09:00", "12:00"]], "sun": [["20:00", "09:00"]]}
        )
    )
    assert spec.weekly[0] == (Interval(32400, 43200), Interval(43200, 61230))


def test_effective_day_order_of_rules() -> None:
    spec = parse_calendar(with_(hours="24x7", extra_days={"2026-05-01": [["10:00", "12:00"]]}))
    extra = spec.extra_day_map()
    assert effective_day(spec, date(2026, 5, 1), extra) == (
        Interval(36000, 43200),
    )  # beats holiday
    assert effective_day(spec, date(2026, 10, 3), extra) == ()  # German Unity Day
    assert effective_day(spec, date(2026, 12, 24), extra) == ()  # closure
    assert effective_day(spec, date(2026, 12, 23), extra) == ALL_DAY


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        (
            {"hours": {"mon": [["09:00", "12:30"], ["12:00", "17:00"]]}},
            "hours.mon[1]",
            "overlaps hours.mon[0]",
        ),
        (
            {"hours": {"fri": [["22:00", "06:00"]], "sat": [["05:00", "10:00"]]}},
            "hours.sat[0]",
            "overnight interval overlaps hours.fri[0]",
        ),
        (
            {"hours": {"sun": [["22:00", "06:00"]], "mon": [["05:59", "10:00"]]}},
            "hours.mon[0]",
            "overnight interval overlaps hours.sun[0]",
        ),
        ({"hours": {"mon": [["22:00", "23:00"], ["22:30", "01:00"]]}}, "hours.mon[1]", "overlaps"),
        ({"hours": {"tue": [["09:00", "09:00"]]}}, "hours.tue[0]", "end equals start"),
        ({"hours": {"tue": [["9:00", "17:00"]]}}, "hours.tue[0].start", "malformed time"),
        ({"hours": {"tue": [["09:00", "25:00"]]}}, "hours.tue[0].end", "malformed time"),
        ({"hours": {"tue": [["09:60", "17:00"]]}}, "hours.tue[0].start", "malformed time"),
        ({"hours": {"tue": [["24:00", "17:00"]]}}, "hours.tue[0].start", "only allowed as an end"),
        ({"hours": {"tue": [["09:00"]]}}, "hours.tue[0]", "pair"),
        ({"hours": {"tue": "09:00-17:00"}}, "hours.tue", "list"),
        ({"hours": {"monday": []}}, "hours.monday", "unknown weekday"),
        ({"hours": "24/7"}, "hours", "24x7"),
        ({"timezone": "Europe/Atlantis"}, "timezone", "unknown time zone"),
        ({"timezone": "../etc/passwd"}, "timezone", "unknown time zone"),
        ({"timezone": 1}, "timezone", "IANA"),
        ({"holidays": {"country": "XX"}}, "holidays.country", "unknown holiday country"),
        (
            {"holidays": {"country": "DE", "subdivision": "ZZ"}},
            "holidays.subdivision",
            "unknown subdivision",
        ),
        ({"holidays": {"country": "DE", "region": "BE"}}, "holidays.region", "unknown field"),
        ({"closures": ["2026-02-30"]}, "closures[0]", "no such date"),
        ({"closures": ["2026-1-1"]}, "closures[0]", "malformed date"),
        ({"closures": "2026-12-24"}, "closures", "list"),
        (
            {"extra_days": {"26-12-27": [["10:00", "14:00"]]}},
            "extra_days.26-12-27",
            "malformed date",
        ),
        ({"extra_days": {"2026-12-27": []}}, "extra_days.2026-12-27", "at least one interval"),
        (
            {"extra_days": {"2026-12-24": [["10:00", "14:00"]]}},
            "extra_days.2026-12-24",
            "also a closure",
        ),
        # 2026-12-26 is a Saturday; the Friday overnight tail of 25 December reaches 06:00.
        (
            {"extra_days": {"2026-12-26": [["05:00", "14:00"]]}},
            "extra_days.2026-12-26[0]",
            "overnight interval overlaps hours.fri[1]",
        ),
        (
            {"extra_days": {"2026-12-24": [["20:00", "09:30"]]}, "closures": []},
            "extra_days.2026-12-24[0]",
            "overnight interval overlaps hours.fri[0]",
        ),
        ({"colour": "blue"}, "colour", "unknown field"),
        ({"name": 3}, "name", "string"),
    ],
)
def test_bad_calendars_name_the_field(change: dict[str, Any], field: str, reason: str) -> None:
    with pytest.raises(CalendarError) as caught:
        parse_calendar(with_(**change))
    assert caught.value.field == field
    assert reason in caught.value.reason
    assert str(caught.value).startswith(field + ": ")


def test_missing_required_fields() -> None:
    with pytest.raises(CalendarError, match=r"^timezone"):
        parse_calendar({"hours": "24x7"})
    with pytest.raises(CalendarError, match=r"^hours"):
        parse_calendar({"timezone": "UTC"})
    with pytest.raises(CalendarError, match=r"^calendar"):
        parse_calendar(["not", "an", "object"])


def test_calendar_error_is_a_value_error() -> None:
    assert issubclass(CalendarError, ValueError)


json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=8)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=20,
)
time_texts = st.one_of(
    st.sampled_from(["09:00", "17:30", "24:00", "00:00", "22:00", "06:00", "23:59:59", "24:00:00"]),
    st.from_regex(r"[0-9]{1,3}:[0-9]{1,3}(:[0-9]{1,2})?", fullmatch=True),
    st.text(max_size=6),
)
intervals = st.one_of(st.lists(time_texts, min_size=2, max_size=2), json_values)
days = st.one_of(st.lists(intervals, max_size=4), json_values)
date_texts = st.one_of(
    st.dates().map(date.isoformat),
    st.from_regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", fullmatch=True),
    st.text(max_size=10),
)
near_valid = st.fixed_dictionaries(
    {},
    optional={
        "name": json_values,
        "timezone": st.one_of(
            st.sampled_from(["UTC", "Europe/Berlin", "Europe", "", "a/../b"]), st.text(max_size=20)
        ),
        "hours": st.one_of(
            st.just("24x7"),
            st.dictionaries(st.sampled_from(["mon", "tue", "sun", "xyz"]), days, max_size=4),
            json_values,
        ),
        "holidays": st.one_of(
            st.fixed_dictionaries(
                {},
                optional={
                    "country": st.sampled_from(["DE", "US", "de", "XX", "AFG"]) | json_values,
                    "subdivision": st.sampled_from(["BE", "NY", "Augsburg"]) | json_values,
                },
            ),
            json_values,
        ),
        "closures": st.one_of(st.lists(date_texts, max_size=4), json_values),
        "extra_days": st.one_of(st.dictionaries(date_texts, days, max_size=3), json_values),
    },
)


@settings(max_examples=400, deadline=None)
@given(st.one_of(json_values, near_valid))
def test_fuzz_parses_or_raises_calendar_error(data: Any) -> None:
    try:
        spec = parse_calendar(data)
    except CalendarError as error:  # the only exception allowed; it must name field and reason
        spec, problem = None, error
    else:
        problem = None
    if problem is not None:
        assert problem.field
        assert problem.reason
    if spec is not None:
        assert parse_calendar(spec.to_json()) == spec


@settings(max_examples=200, deadline=None)
@given(calendar_json())
def test_random_valid_calendars_round_trip(data: dict[str, Any]) -> None:
    spec = parse_calendar(data)
    assert parse_calendar(spec.to_json()) == spec
