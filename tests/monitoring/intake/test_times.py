"""RFC 3339 times as both webhooks read them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from steward.monitoring.intake.model import IntakeError, format_time, parse_time
from tests.monitoring.intake.strategies import times


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-29T12:00:00Z", datetime(2026, 11, 29, 12, tzinfo=UTC)),
        ("2026-11-29t12:00:00z", datetime(2026, 11, 29, 12, tzinfo=UTC)),
        ("2026-11-29 13:30:00+01:30", datetime(2026, 11, 29, 12, tzinfo=UTC)),
        ("2026-11-29T12:00:00.123456789Z", datetime(2026, 11, 29, 12, 0, 0, 123456, tzinfo=UTC)),
        ("2026-11-29T12:00:00.5-00:00", datetime(2026, 11, 29, 12, 0, 0, 500000, tzinfo=UTC)),
    ],
)
def test_accepted(text: str, expected: datetime) -> None:
    assert parse_time(text, "at") == expected


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-29T12:00:00",  # no zone
        "2026-11-29",
        "2026-11-29T24:00:00Z",
        "2026-11-29T23:59:60Z",  # leap seconds are not datetimes
        "2026-11-29T12:00:00+24:00",
        "2026-11-29T12:00:00 Z",
        "\uff12\uff10\uff12\uff16-11-29T12:00:00Z",  # full-width digits
        "0001-01-01T00:00:00+01:00",  # before year 1 in UTC
    ],
)
def test_refused_with_the_field(text: str) -> None:
    with pytest.raises(IntakeError, match=r"^alerts\[0\]\.startsAt: not an RFC 3339 time"):
        parse_time(text, "alerts[0].startsAt")


@given(moment=times, minutes=st.integers(-23 * 60, 23 * 60))
def test_any_time_in_any_offset_reads_back(moment: datetime, minutes: int) -> None:
    offset = timedelta(minutes=minutes)
    sign = "-" if minutes < 0 else "+"
    zone = f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    local = (moment + offset).replace(tzinfo=None).isoformat()
    assert parse_time(f"{local}{zone}", "at") == moment
    assert parse_time(format_time(moment), "at") == moment
