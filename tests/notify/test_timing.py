"""Quiet hours and retry backoff: pure functions, checked at the exact boundaries (the first
and last second of a window, over midnight, on both DST nights of Berlin), plus properties."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from steward.notify.config import check_url
from steward.notify.sending import channel_error
from steward.notify.timing import (
    MAX_ATTEMPTS,
    RETRY_CAP,
    first_instant_at,
    in_quiet_hours,
    quiet_until,
    retry_at,
)

BERLIN = ZoneInfo("Europe/Berlin")
NIGHT = (time(22, 0), time(7, 0))  # over midnight
LUNCH = (time(12, 0), time(13, 30))


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("now", "window", "expected"),
    [
        # Winter (CET, UTC+1): 22:00 local is 21:00 UTC.
        (utc(2026, 1, 14, 20, 59, 59), NIGHT, None),  # 21:59:59 local: not yet
        (utc(2026, 1, 14, 21, 0, 0), NIGHT, utc(2026, 1, 15, 6, 0)),  # 22:00:00: held to 07:00
        (utc(2026, 1, 14, 23, 30), NIGHT, utc(2026, 1, 15, 6, 0)),  # after midnight local
        (utc(2026, 1, 15, 5, 59, 59), NIGHT, utc(2026, 1, 15, 6, 0)),  # 06:59:59: one second
        (utc(2026, 1, 15, 6, 0, 0), NIGHT, None),  # 07:00:00 local: over
        (utc(2026, 1, 15, 10, 59, 59), LUNCH, None),
        (utc(2026, 1, 15, 11, 0), LUNCH, utc(2026, 1, 15, 12, 30)),
        (utc(2026, 1, 15, 12, 29, 59), LUNCH, utc(2026, 1, 15, 12, 30)),
        (utc(2026, 1, 15, 12, 30), LUNCH, None),
        # Spring forward (2026-03-29, 02:00 CET -> 03:00 CEST): the night is an hour shorter.
        (utc(2026, 3, 28, 21, 0), NIGHT, utc(2026, 3, 29, 5, 0)),  # 22:00 CET -> 07:00 CEST
        (utc(2026, 3, 29, 4, 59, 59), NIGHT, utc(2026, 3, 29, 5, 0)),
        (utc(2026, 3, 29, 5, 0), NIGHT, None),
        # Fall back (2026-10-25, 03:00 CEST -> 02:00 CET): an hour longer.
        (utc(2026, 10, 24, 20, 0), NIGHT, utc(2026, 10, 25, 6, 0)),  # 22:00 CEST -> 07:00 CET
        (utc(2026, 10, 25, 5, 59, 59), NIGHT, utc(2026, 10, 25, 6, 0)),
        (utc(2026, 10, 25, 6, 0), NIGHT, None),
        # No quiet hours when start == end.
        (utc(2026, 1, 15, 3, 0), (time(7, 0), time(7, 0)), None),
    ],
)
def test_quiet_until_at_the_boundaries(
    now: datetime, window: tuple[time, time], expected: datetime | None
) -> None:
    assert quiet_until(now, *window, BERLIN) == expected


def test_an_end_inside_the_spring_gap_ends_when_the_clocks_jump() -> None:
    # 02:30 does not exist on 2026-03-29 in Berlin: quiet hours end at 03:00 CEST (01:00 UTC).
    assert first_instant_at(utc(2026, 3, 29).date(), time(2, 30), BERLIN) == utc(2026, 3, 29, 1)
    assert quiet_until(utc(2026, 3, 29, 0, 59, 59), time(23, 0), time(2, 30), BERLIN) == utc(
        2026, 3, 29, 1
    )
    assert quiet_until(utc(2026, 3, 29, 1, 0), time(23, 0), time(2, 30), BERLIN) is None


def test_an_end_in_the_repeated_autumn_hour_is_its_first_occurrence() -> None:
    # 02:30 happens twice on 2026-10-25: first at 00:30 UTC (CEST).
    assert first_instant_at(utc(2026, 10, 25).date(), time(2, 30), BERLIN) == utc(
        2026, 10, 25, 0, 30
    )


@pytest.mark.parametrize(
    ("attempts", "delay"),
    [(1, timedelta(minutes=1)), (2, timedelta(minutes=2)), (3, timedelta(minutes=4)),
     (6, timedelta(minutes=32)), (7, RETRY_CAP)],
)  # fmt: skip
def test_backoff_doubles_up_to_the_cap(attempts: int, delay: timedelta) -> None:
    now = utc(2026, 1, 1)
    assert retry_at(attempts, now) == now + delay


def test_no_retry_after_the_last_attempt() -> None:
    assert retry_at(MAX_ATTEMPTS - 1, utc(2026, 1, 1)) is not None
    assert retry_at(MAX_ATTEMPTS, utc(2026, 1, 1)) is None


ZONES = st.sampled_from(["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "UTC",
                         "Asia/Kolkata", "America/Santiago"])  # fmt: skip
INSTANTS = st.datetimes(
    min_value=datetime(2020, 1, 1),  # noqa: DTZ001 - hypothesis bounds are naive; tz below
    max_value=datetime(2035, 1, 1),  # noqa: DTZ001
    timezones=st.just(UTC),
)
TIMES = st.times().map(lambda t: t.replace(microsecond=0))


@given(now=INSTANTS, start=TIMES, end=TIMES, zone=ZONES)
def test_a_hold_ends_after_now_outside_the_window(
    now: datetime, start: time, end: time, zone: str
) -> None:
    tz = ZoneInfo(zone)
    until = quiet_until(now, start, end, tz)
    local = now.astimezone(tz).time().replace(tzinfo=None)
    assert (until is not None) == in_quiet_hours(local, start, end)
    if until is not None:
        assert now < until <= now + timedelta(hours=26)
        # When it ends, it is no longer quiet (or the window starts again at once).
        after = until.astimezone(tz).time().replace(tzinfo=None)
        assert not in_quiet_hours(after, start, end) or after == start


@given(wall=st.times(), start=st.times(), end=st.times())
def test_inside_and_outside_partition_the_day(wall: time, start: time, end: time) -> None:
    inside = in_quiet_hours(wall, start, end)
    if start == end:
        assert not inside
    elif start < end:
        assert inside == (start <= wall < end)
    else:
        assert inside == (not (end <= wall < start))


@settings(deadline=None)  # apprise loads its plugins on the first call
@given(url=st.text(max_size=200) | st.from_regex(r"[a-z]{1,10}://[ -~]{0,60}", fullmatch=True))
def test_any_channel_url_is_accepted_or_refused_with_a_reason(url: str) -> None:
    """The apprise URL check never fails otherwise: a refusal names the ``url`` field."""
    problem = channel_error(url.strip()) if url.strip() else "required"
    if problem:
        with pytest.raises(ValidationError) as caught:
            check_url(url)
        assert set(caught.value.message_dict) == {"url"}
        assert all(caught.value.message_dict["url"])
    else:
        assert check_url(url) == url.strip()
