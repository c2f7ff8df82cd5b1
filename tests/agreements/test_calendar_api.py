"""Calendars through the API: create, validation naming the field, preview endpoints, SLA
policies with their versions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import pytest
import time_machine
from django.test import Client as HttpClient

from steward.agreements.models import Agreement, BusinessCalendar
from tests.agreements.conftest import ALWAYS, BERLIN_OFFICE
from tests.conftest import World

API = "/api/v1"


def post(http: HttpClient, url: str, body: Any) -> Any:
    return http.post(url, body, content_type="application/json")


@pytest.fixture
def cal_id(world: World) -> int:
    response = post(world.bearer(world.alice), f"{API}/calendars", BERLIN_OFFICE)
    assert response.status_code == 201, response.content
    return int(response.json()["id"])


def test_create_returns_the_normalised_calendar_with_its_id(world: World) -> None:
    body = BERLIN_OFFICE | {"client_id": world.acme.pk, "closures": ["2026-12-31", "2026-12-30"]}
    response = post(world.bearer(world.alice), f"{API}/calendars", body)
    assert response.status_code == 201
    out = response.json()
    assert (out["client_id"], out["name"], out["timezone"]) == (
        world.acme.pk,
        "Berlin office",
        "Europe/Berlin",
    )
    assert out["spec"]["closures"] == ["2026-12-30", "2026-12-31"]
    assert "client_id" not in out["spec"]
    assert BusinessCalendar.objects.get(pk=out["id"]).client == world.acme


@pytest.mark.parametrize(
    ("change", "loc", "words"),
    [
        ({"hours": {"mon": [["09:00", "12:00"], ["11:30", "14:00"]]}}, "hours.mon[1]", "overlaps"),
        ({"hours": {"tue": [["09:00", "09:00"]]}}, "hours.tue[0]", "end equals start"),
        ({"timezone": "Europe/Atlantis"}, "timezone", "unknown time zone"),
        ({"holidays": {"country": "XX"}}, "holidays.country", "unknown holiday country"),
        ({"hours": {"mon": [["9am", "17:00"]]}}, "hours.mon[0].start", "malformed time"),
        ({"hourz": "24x7"}, "hourz", "unknown field"),
        ({"name": ""}, "name", "needs a name"),
    ],
)
def test_a_bad_calendar_is_422_naming_the_field(
    world: World, change: dict[str, Any], loc: str, words: str
) -> None:
    response = post(world.bearer(world.alice), f"{API}/calendars", BERLIN_OFFICE | change)
    assert response.status_code == 422
    (detail,) = response.json()["detail"]
    assert detail["loc"] == ["body", loc]
    assert words in detail["msg"]
    assert not BusinessCalendar.objects.exists()


def _get(world: World, url: str, **query: Any) -> Any:
    return world.bearer(world.alice).get(f"{url}?{urlencode(query)}")


@pytest.mark.parametrize(
    ("start", "seconds", "due"),
    [
        # Monday 16:00 + 2 h: one hour on Monday, the second on Tuesday from 09:00.
        ("2025-01-06T16:00:00+01:00", 7200, "2025-01-07T10:00:00+01:00"),
        # The same instant in UTC; the answer is in the calendar's zone.
        ("2025-01-06T15:00:00Z", 7200, "2025-01-07T10:00:00+01:00"),
        # Friday 16:30 + 1 h: over the weekend to Monday 09:30.
        ("2025-01-10T16:30:00+01:00", 3600, "2025-01-13T09:30:00+01:00"),
        # Christmas in Berlin: 25 and 26 December are public holidays.
        ("2025-12-24T16:00:00+01:00", 7200, "2025-12-29T10:00:00+01:00"),
        # Across the spring DST change: Friday 28 March 2025 is +01:00, Monday is +02:00.
        ("2025-03-28T16:00:00+01:00", 7200, "2025-03-31T10:00:00+02:00"),
        # Zero seconds: the start itself.
        ("2025-01-04T12:00:00+01:00", 0, "2025-01-04T12:00:00+01:00"),
    ],
)
def test_preview_add_known_answers(
    world: World, cal_id: int, start: str, seconds: int, due: str
) -> None:
    response = _get(world, f"{API}/calendars/{cal_id}/add", start=start, seconds=seconds)
    assert response.status_code == 200, response.content
    assert response.json() == {"due": due}


def test_preview_between_known_answers(world: World, cal_id: int) -> None:
    url = f"{API}/calendars/{cal_id}/between"
    mon_to_tue = _get(
        world, url, start="2025-01-06T08:00:00+01:00", end="2025-01-07T12:00:00+01:00"
    )
    assert mon_to_tue.json() == {"seconds": 11 * 3600}
    backwards = _get(world, url, start="2025-01-07T12:00:00+01:00", end="2025-01-06T08:00:00+01:00")
    assert backwards.json() == {"seconds": 0}


def test_an_unencoded_plus_in_the_offset_is_understood(world: World, cal_id: int) -> None:
    url = f"{API}/calendars/{cal_id}/add?start=2025-01-06T16:00:00+01:00&seconds=7200"
    response = world.bearer(world.alice).get(url)
    assert response.json() == {"due": "2025-01-07T10:00:00+01:00"}


@pytest.mark.parametrize(
    ("query", "loc"),
    [
        ({"start": "2025-01-06T16:00:00", "seconds": 60}, ["query", "start"]),
        ({"start": "yesterday", "seconds": 60}, ["query", "start"]),
        ({"start": "2025-01-06T16:00:00Z", "seconds": -1}, ["query", "seconds"]),
    ],
)
def test_preview_add_refuses_naive_or_bad_input(
    world: World, cal_id: int, query: dict[str, Any], loc: list[str]
) -> None:
    response = _get(world, f"{API}/calendars/{cal_id}/add", **query)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == loc


def test_preview_between_refuses_a_naive_end(world: World, cal_id: int) -> None:
    response = _get(
        world, f"{API}/calendars/{cal_id}/between", start="2025-01-06T08:00:00Z", end="2025-01-07"
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "end"]


def test_replace_and_delete(world: World, cal_id: int) -> None:
    http = world.bearer(world.alice)
    replaced = http.put(
        f"{API}/calendars/{cal_id}", ALWAYS | {"name": "Always"}, content_type="application/json"
    )
    assert replaced.status_code == 200
    assert (replaced.json()["name"], replaced.json()["spec"]["hours"]) == ("Always", "24x7")
    assert http.delete(f"{API}/calendars/{cal_id}").status_code == 204


def test_a_client_contact_sees_only_own_calendars(world: World) -> None:
    alice = world.bearer(world.alice)
    acme = post(alice, f"{API}/calendars", BERLIN_OFFICE | {"client_id": world.acme.pk}).json()
    msp = post(alice, f"{API}/calendars", ALWAYS).json()
    dave = world.bearer(world.dave)
    assert dave.get(f"{API}/calendars/{acme['id']}").status_code == 404
    preview = dave.get(f"{API}/calendars/{acme['id']}/add?start=2025-01-06T15:00:00Z&seconds=1")
    assert preview.status_code == 404
    assert dave.get(f"{API}/calendars").json()["count"] == 0
    bob = world.bearer(world.bob)
    assert {c["id"] for c in bob.get(f"{API}/calendars").json()["items"]} == {acme["id"], msp["id"]}


def test_sla_policy_versions_through_the_api(world: World, agreement: Agreement) -> None:
    http = world.bearer(world.alice)
    berlin = post(http, f"{API}/calendars", BERLIN_OFFICE | {"client_id": world.acme.pk}).json()
    always = post(http, f"{API}/calendars", ALWAYS).json()
    body = {
        "name": "Standard",
        "calendar_id": berlin["id"],
        "pause_statuses": ["waiting_on_client"],
        "credit_percent": "5",
        "credit_cap_percent": "20",
        "targets": [
            {"priority": "P1", "response_seconds": 900, "resolution_seconds": 14400,
             "calendar_id": always["id"]},
            {"priority": "P3", "response_seconds": 14400, "resolution_seconds": 86400},
        ],
    }  # fmt: skip
    with time_machine.travel(datetime(2025, 3, 1, 9, 0, 0, 250_000, tzinfo=UTC), tick=False):
        v1 = post(http, f"{API}/agreements/{agreement.pk}/sla-policies", body)
    assert v1.status_code == 201, v1.content
    v1_id = v1.json()["id"]
    bad = post(http, f"{API}/agreements/{agreement.pk}/sla-policies", body)
    assert bad.status_code == 422  # one chain per agreement
    v2 = http.put(
        f"{API}/sla-policies/{v1_id}",
        body | {"warning_percent": 80},
        content_type="application/json",
    )
    assert v2.status_code == 200, v2.content
    assert (v2.json()["version"], v2.json()["warning_percent"]) == (2, 80)
    old = http.get(f"{API}/sla-policies/{v1_id}").json()
    assert (old["warning_percent"], old["effective_until"]) == (75, v2.json()["effective_from"])
    again = http.put(f"{API}/sla-policies/{v1_id}", body, content_type="application/json")
    assert again.status_code == 409
    current = http.get(f"{API}/agreements/{agreement.pk}/sla-policy").json()
    assert current["id"] == v2.json()["id"]
    past = http.get(
        f"{API}/agreements/{agreement.pk}/sla-policy",
        {"at": old["effective_from"]},
    )
    assert past.status_code == 200, past.content
    assert past.json()["id"] == v1_id
    versions = http.get(f"{API}/agreements/{agreement.pk}/sla-policies").json()
    assert [p["version"] for p in versions] == [2, 1]
    bad_status = post(
        http,
        f"{API}/agreements/{agreement.pk}/sla-policies",
        body | {"pause_statuses": ["on_hold"]},
    )
    assert bad_status.status_code == 422


def test_an_sla_policy_cannot_use_another_clients_calendar(
    world: World, agreement: Agreement
) -> None:
    http = world.bearer(world.alice)
    theirs = post(http, f"{API}/calendars", ALWAYS | {"client_id": world.globex.pk}).json()
    response = post(
        http,
        f"{API}/agreements/{agreement.pk}/sla-policies",
        {"name": "X", "calendar_id": theirs["id"]},
    )
    assert response.status_code == 422
    assert "calendar_id" in response.json()["detail"]
