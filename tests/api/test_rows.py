"""The list endpoints' row reader: SQL compiled once per page-size bucket, values as the driver
returns them, times in exactly the text ``DjangoJSONEncoder`` writes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from hypothesis import given
from hypothesis import strategies as st

from steward.api import rows
from steward.api.rows import api_time, fetch_by_pk, format_times
from steward.tenancy.models import Client
from tests.conftest import World

encode = DjangoJSONEncoder().default
# Hypothesis takes naive bounds for aware datetimes: the bounds apply to the wall time.
NAIVE_FIRST, NAIVE_LAST = datetime(1970, 1, 2), datetime(9998, 12, 31)  # noqa: DTZ001
instants = st.datetimes(min_value=NAIVE_FIRST, max_value=NAIVE_LAST, timezones=st.just(UTC))


@given(instants)
def test_a_utc_time_reads_as_the_encoder_writes_it(moment: datetime) -> None:
    assert api_time(moment) == encode(moment)
    # SQLite's driver hands back the same instant naive: it is UTC.
    assert api_time(moment.replace(tzinfo=None)) == encode(moment)


@given(instants, st.integers(-14 * 60, 14 * 60))
def test_any_zone_is_written_as_utc(moment: datetime, minutes: int) -> None:
    zoned = moment.astimezone(timezone(timedelta(minutes=minutes)))
    assert api_time(zoned) == encode(moment)


def test_dates_and_none_are_left_to_the_encoder() -> None:
    row = {"on": date(2026, 3, 2), "at": None, "name": "x"}
    assert format_times([row], ["on", "at"]) == [{"on": "2026-03-02", "at": None, "name": "x"}]


def _clients(ids: list[int]) -> object:
    return Client.objects.filter(pk__in=ids).values("id", "name", "created_at")


@pytest.mark.django_db
def test_rows_come_in_the_order_of_the_ids_missing_ones_left_out(world: World) -> None:
    ids = [world.globex.pk, world.acme.pk]
    found = fetch_by_pk("test-clients", _clients, [*ids, 999_999])  # type: ignore[arg-type]
    assert [row["id"] for row in found] == ids
    assert found[1]["name"] == world.acme.name
    assert isinstance(found[1]["created_at"], datetime)
    assert fetch_by_pk("test-clients", _clients, []) == []  # type: ignore[arg-type]


@pytest.mark.django_db
def test_one_compiled_query_per_size_bucket(world: World) -> None:
    rows._prepared.clear()
    for count in (1, 2, 3, 4, 5):
        fetch_by_pk("test-bucket", _clients, [world.acme.pk] * count)  # type: ignore[arg-type]
    assert sorted(size for key, _, size in rows._prepared if key == "test-bucket") == [1, 2, 4, 8]


@pytest.mark.django_db
def test_a_query_with_other_parameters_is_refused(world: World) -> None:
    def named(ids: list[int]) -> object:
        return Client.objects.filter(pk__in=ids, name="Acme").values("id")

    with pytest.raises(ValueError, match="only parameters"):
        fetch_by_pk("test-named", named, [world.acme.pk])  # type: ignore[arg-type]
