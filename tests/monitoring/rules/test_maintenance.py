"""Maintenance windows: one-off and recurring, DST nights, exact boundaries, scope, errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from steward.monitoring.rules.maintenance import (
    MaintenanceError,
    MaintenanceWindow,
    active,
    between,
    occurrences,
    upcoming,
)

BERLIN = ZoneInfo("Europe/Berlin")
# Sundays 02:00-04:00 Berlin wall-clock time, from 1 March 2026.
PATCH_NIGHT = MaintenanceWindow(
    id="patch-night",
    start=datetime(2026, 3, 1, 2, 0, tzinfo=BERLIN),
    rrule="FREQ=WEEKLY;BYDAY=SU",
    duration_seconds=2 * 3600,
    timezone="Europe/Berlin",
    client="acme",
)


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


@pytest.mark.parametrize(
    ("sunday", "start", "end"),
    [
        # winter (CET, +1): 01:00-03:00 UTC
        ((2026, 3, 22), utc(2026, 3, 22, 1), utc(2026, 3, 22, 3)),
        # spring forward: 02:00 does not exist, the window starts at 03:00 CEST = 01:00 UTC and
        # ends at 04:00 CEST = 02:00 UTC (one hour of wall-clock time was skipped)
        ((2026, 3, 29), utc(2026, 3, 29, 1), utc(2026, 3, 29, 2)),
        # summer (CEST, +2): 00:00-02:00 UTC
        ((2026, 4, 5), utc(2026, 4, 5, 0), utc(2026, 4, 5, 2)),
        # fall back: 02:00 is first read in CEST (00:00 UTC), 04:00 in CET (03:00 UTC): 3 hours
        ((2026, 10, 25), utc(2026, 10, 25, 0), utc(2026, 10, 25, 3)),
        ((2026, 11, 1), utc(2026, 11, 1, 1), utc(2026, 11, 1, 3)),
    ],
)
def test_weekly_berlin_window_across_dst(
    sunday: tuple[int, int, int], start: datetime, end: datetime
) -> None:
    day = utc(*sunday)
    (found,) = occurrences(PATCH_NIGHT, day - timedelta(hours=3), day + timedelta(days=1))
    assert (found.start, found.end) == (start, end)
    assert found.window_id == "patch-night"


@pytest.mark.parametrize(
    ("instant", "inside"),
    [
        (utc(2026, 4, 5, 0) - timedelta(microseconds=1), False),
        (utc(2026, 4, 5, 0), True),  # start inclusive
        (utc(2026, 4, 5, 1, 59, 59), True),
        (utc(2026, 4, 5, 2), False),  # end exclusive
    ],
)
def test_active_at_exact_boundaries(instant: datetime, inside: bool) -> None:
    found = active([PATCH_NIGHT], "acme", "web-01", instant)
    assert bool(found) is inside


def test_one_off_window_boundaries() -> None:
    window = MaintenanceWindow("swap", utc(2026, 12, 1, 22), end=utc(2026, 12, 1, 23))
    assert active([window], "acme", None, utc(2026, 12, 1, 22))
    assert not active([window], "acme", None, utc(2026, 12, 1, 23))
    assert not active([window], "acme", None, utc(2026, 12, 1, 21, 59, 59))


@pytest.mark.parametrize(
    ("client", "assets", "asked_client", "asked_asset", "applies"),
    [
        (None, frozenset(), "acme", "web-01", True),  # global
        ("acme", frozenset(), "acme", "web-01", True),  # the whole client
        ("acme", frozenset(), "globex", "web-01", False),
        ("acme", frozenset({"web-01"}), "acme", "web-01", True),
        ("acme", frozenset({"web-01"}), "acme", "db-01", False),
        ("acme", frozenset({"web-01"}), "acme", None, False),
    ],
)
def test_scope(
    client: str | None,
    assets: frozenset[str],
    asked_client: str,
    asked_asset: str | None,
    applies: bool,
) -> None:
    window = MaintenanceWindow(
        "w", utc(2026, 12, 1), end=utc(2026, 12, 2), client=client, assets=assets
    )
    assert bool(active([window], asked_client, asked_asset, utc(2026, 12, 1, 12))) is applies


def test_upcoming_lists_what_clients_see_in_advance() -> None:
    globex = MaintenanceWindow("g", utc(2026, 4, 2), end=utc(2026, 4, 3), client="globex")
    everyone = MaintenanceWindow("all", utc(2026, 4, 8), end=utc(2026, 4, 8, 1))
    now = utc(2026, 4, 1)
    seen = upcoming([PATCH_NIGHT, globex, everyone], now, timedelta(days=14), client="acme")
    assert [(o.window_id, o.start) for o in seen] == [
        ("patch-night", utc(2026, 4, 5, 0)),
        ("all", utc(2026, 4, 8)),
        ("patch-night", utc(2026, 4, 12, 0)),
    ]
    assert len(upcoming([PATCH_NIGHT, globex, everyone], now, timedelta(days=14))) == 4


def test_an_occurrence_in_progress_is_upcoming_too() -> None:
    seen = upcoming([PATCH_NIGHT], utc(2026, 4, 5, 1), timedelta(hours=1))
    assert [o.start for o in seen] == [utc(2026, 4, 5, 0)]


def test_count_and_until_end_the_series() -> None:
    counted = MaintenanceWindow(
        "c", utc(2026, 1, 5, 6), rrule="FREQ=DAILY;COUNT=3", duration_seconds=60
    )
    assert len(occurrences(counted, utc(2026, 1, 1), utc(2026, 2, 1))) == 3
    until = MaintenanceWindow(
        "u",
        datetime(2026, 1, 5, 6, tzinfo=BERLIN),
        rrule="FREQ=DAILY;UNTIL=20260107T050000Z",
        duration_seconds=60,
        timezone="Europe/Berlin",
    )
    assert [o.start for o in occurrences(until, utc(2026, 1, 1), utc(2026, 2, 1))] == [
        utc(2026, 1, 5, 5),
        utc(2026, 1, 6, 5),
        utc(2026, 1, 7, 5),
    ]


def test_between_merges_windows_in_order() -> None:
    one_off = MaintenanceWindow("x", utc(2026, 4, 5, 1), end=utc(2026, 4, 5, 4), client="acme")
    found = between([one_off, PATCH_NIGHT], "acme", "web-01", utc(2026, 4, 4), utc(2026, 4, 6))
    assert [o.window_id for o in found] == ["patch-night", "x"]


@pytest.mark.parametrize(
    ("rrule", "message"),
    [
        ("", "rrule: is empty"),
        ("BYDAY=SU", "rrule.FREQ: is required"),
        ("FREQ=SECONDLY", "rrule.FREQ: 'SECONDLY' is not one of HOURLY"),
        ("FREQ=WEEKLY;BYDAY=SUN", "rrule.BYDAY: 'SUN' is not weekdays"),
        ("FREQ=WEEKLY;BYDAY", "rrule: 'BYDAY' is not NAME=VALUE"),
        ("FREQ=WEEKLY;COLOR=red", "rrule.COLOR: unknown or unsupported rule part"),
        ("FREQ=WEEKLY;FREQ=DAILY", "rrule.FREQ: given twice"),
        ("FREQ=MONTHLY;BYMONTHDAY=32", "rrule.BYMONTHDAY: 32 is outside 1..31"),
        ("FREQ=DAILY;BYHOUR=24", "rrule.BYHOUR: 24 is outside 0..23"),
        ("FREQ=DAILY;INTERVAL=0", "rrule.INTERVAL: '0' is not a whole number from 1"),
        ("FREQ=DAILY;UNTIL=20261332", "rrule.UNTIL: '20261332' is not a valid date"),
        ("FREQ=DAILY;COUNT=2;UNTIL=20261201", "rrule.UNTIL: cannot be combined with COUNT"),
    ],
)
def test_rrule_errors_name_the_part(rrule: str, message: str) -> None:
    with pytest.raises(MaintenanceError) as caught:
        MaintenanceWindow("w", utc(2026, 1, 1), rrule=rrule, duration_seconds=60)
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"start": datetime(2026, 1, 1), "end": utc(2026, 1, 2)}, "start: needs a time zone"),  # noqa: DTZ001
        ({"start": utc(2026, 1, 2), "end": utc(2026, 1, 2)}, "end: must be after start"),
        ({"start": utc(2026, 1, 1)}, "end: a one-off window needs an end"),
        ({"start": utc(2026, 1, 1), "rrule": "FREQ=DAILY"}, "duration_seconds: must be positive"),
        (
            {"start": utc(2026, 1, 1), "end": utc(2026, 1, 2), "timezone": "Mars/Olympus"},
            "timezone: unknown time zone 'Mars/Olympus'",
        ),
    ],
)
def test_window_errors_name_the_field(fields: dict[str, object], message: str) -> None:
    with pytest.raises(MaintenanceError) as caught:
        MaintenanceWindow("w", **fields)  # type: ignore[arg-type]
    assert str(caught.value).startswith(message)
