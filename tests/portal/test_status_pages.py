"""Status pages end to end through the views: who sees which page, what it shows and what it
never shows (hidden checks, internal notes, hostnames), the JSON shape, the public URL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from steward.monitoring.services import windows
from steward.portal.models import StatusPage
from steward.portal.status import services
from tests.conftest import World
from tests.portal.status_world import (
    ADDRESS,
    CONTACT_REPLY,
    HOSTNAME,
    NOTE,
    PUBLIC_REPLY,
    Services,
    _fresh_status_cache,  # noqa: F401 (autouse fixture)
    every,
    incidents,
    services_of,
    set_state,
    write_results,
)

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)  # 14:00 in Berlin


@pytest.fixture
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def acme(world: World, frozen: None) -> Services:
    found = services_of(world.acme, "Acme")
    for check in (found.web, found.mail, found.vpn):
        set_state(check, "ok", NOW - timedelta(seconds=30))
    return found


def page_url(world: World, suffix: str = "/") -> str:
    return f"/status/client/{world.acme.pk}{suffix}"


def test_the_clients_contact_and_its_staff_see_the_page(world: World, acme: Services) -> None:
    for user in (world.carol, world.bob, world.alice, world.ivan):
        response = world.http(user).get(page_url(world))
        assert response.status_code == 200, user.username
        assert b"Acme website" in response.content
        assert b"All systems operational" in response.content


@pytest.mark.parametrize("suffix", ["/", ".json", "/settings/"])
def test_another_clients_contact_and_unassigned_staff_get_404(
    world: World, acme: Services, suffix: str
) -> None:
    for user in (world.dave, world.eve):
        assert world.http(user).get(page_url(world, suffix)).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(world: World, acme: Services) -> None:
    for suffix in ("/", ".json"):
        response = HttpClient().get(page_url(world, suffix))
        assert response.status_code == 302
        assert "/login/" in response["Location"]


def test_hidden_checks_and_internal_details_stay_off(world: World, acme: Services) -> None:
    page = services.page_for(world.acme)
    services.update_page(page, headline="", intro="", hidden=[acme.vpn], now=NOW)
    for suffix in ("/", ".json"):
        body = world.http(world.carol).get(page_url(world, suffix)).content.decode()
        assert "Acme website" in body
        assert "Acme mail" in body
        assert "Acme vpn" not in body
        assert HOSTNAME not in body
        assert ADDRESS not in body


def test_incidents_show_public_updates_never_internal_notes(world: World, acme: Services) -> None:
    incidents(world, NOW)
    body = world.http(world.carol).get(page_url(world)).content.decode()
    assert "Mail delivery delayed" in body
    assert PUBLIC_REPLY in body
    assert "Disk filling up" in body  # private page: every open incident
    for absent in (NOTE, CONTACT_REPLY, "Printer offline", "New laptop for Jane", "Ordered."):
        assert absent not in body


def test_json_shape(world: World, acme: Services) -> None:
    # Website: up until 10:00 UTC on 14 June, down for 30 minutes, then up again.
    start = NOW - timedelta(days=1, hours=6)
    write_results(
        acme.web,
        every(start, NOW - timedelta(hours=26), timedelta(minutes=1), "ok")
        + every(
            NOW - timedelta(hours=26),
            NOW - timedelta(hours=25, minutes=30),
            timedelta(minutes=1),
            "critical",
        )
        + every(NOW - timedelta(hours=25, minutes=30), NOW, timedelta(minutes=1), "ok"),
    )
    set_state(acme.mail, "critical", NOW - timedelta(minutes=1))
    tickets = incidents(world, NOW)
    data = world.http(world.carol).get(page_url(world, ".json")).json()
    assert set(data) == {
        "client",
        "headline",
        "intro",
        "generated_at",
        "time_zone",
        "status",
        "services",
        "incidents",
        "maintenance",
        "notes",
    }
    assert data["time_zone"] == "Europe/Berlin"
    assert data["status"] == {"indicator": "partial_outage", "description": "Partial outage"}
    web = next(s for s in data["services"] if s["name"] == "Acme website")
    assert set(web) == {"id", "name", "state", "since", "uptime_percent", "days"}
    assert web["state"] == "operational"
    assert len(web["days"]) == 90
    assert web["days"][-1]["date"] == "2026-06-15"
    day = {d["date"]: d for d in web["days"]}
    # 14 June in Berlin: known from 06:00 UTC (08:00 local) to 22:00 UTC; 30 minutes down.
    assert day["2026-06-14"]["down_minutes"] == 30
    assert day["2026-06-14"]["up_percent"] == pytest.approx(96.87, abs=0.01)  # 930 of 960 min
    assert day["2026-06-14"]["level"] == "down"
    assert day["2026-06-13"] == {
        "date": "2026-06-13",
        "up_percent": None,
        "down_minutes": 0,
        "level": "no-data",
    }
    mail = next(s for s in data["services"] if s["name"] == "Acme mail")
    assert mail["state"] == "down"
    numbers = [i["number"] for i in data["incidents"]]
    assert numbers == [tickets["spoken"].pk, tickets["silent"].pk]
    assert data["incidents"][0]["updates"] == [
        {"at": (NOW - timedelta(hours=1)).isoformat(), "body": PUBLIC_REPLY}
    ]
    assert any("History begins on 14 June 2026" in note for note in data["notes"])


def test_a_stale_state_is_not_shown_as_operational(world: World, acme: Services) -> None:
    set_state(acme.web, "ok", NOW - timedelta(minutes=4))  # three 60 s intervals have passed
    data = world.http(world.carol).get(page_url(world, ".json")).json()
    web = next(s for s in data["services"] if s["name"] == "Acme website")
    assert web["state"] == "unknown"


def test_maintenance_shown_to_the_client_only(world: World, acme: Services) -> None:
    windows.create_window(
        world.acme,
        assets=[acme.asset],
        title="Database upgrade",
        starts_at=NOW - timedelta(minutes=30),
        ends_at=NOW + timedelta(hours=1),
    )
    windows.create_window(
        world.acme,
        title="Quiet firmware work",
        starts_at=NOW + timedelta(days=1),
        ends_at=NOW + timedelta(days=1, hours=1),
        shown_to_client=False,
    )
    windows.create_window(
        world.acme,
        title="Next month's patching",
        starts_at=NOW + timedelta(days=30),
        ends_at=NOW + timedelta(days=30, hours=1),
    )
    data = world.http(world.carol).get(page_url(world, ".json")).json()
    assert [m["title"] for m in data["maintenance"]] == ["Database upgrade"]
    assert data["maintenance"][0]["in_progress"] is True
    states = {s["name"]: s["state"] for s in data["services"]}
    # The window names the database asset: only the check on it is under maintenance.
    assert states == {
        "Acme website": "maintenance",
        "Acme mail": "operational",
        "Acme vpn": "operational",
    }
    assert data["status"]["indicator"] == "maintenance"


def test_the_page_costs_the_same_queries_for_more_services(
    world: World, acme: Services, django_assert_max_num_queries: Any
) -> None:
    http = world.http(world.carol)
    http.get(page_url(world))  # the page row is made on first use
    with CaptureQueriesContext(connection) as few:
        http.get(page_url(world))
    for n in range(5):
        services_of(world.acme, f"More{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        http.get(page_url(world))


# --- Settings and the public URL ----------------------------------------------------------------


def publish_url(world: World, http: HttpClient) -> str:
    response = http.post(f"/status/client/{world.acme.pk}/publish/")
    assert response.status_code == 200
    url = str(response.context["new_url"])
    assert url.encode() in response.content
    return url.removeprefix("http://testserver")


def test_publish_shows_the_url_once_and_stores_only_its_hash(world: World, acme: Services) -> None:
    alice = world.http(world.alice)
    url = publish_url(world, alice)
    token = url.split("/")[2]
    page = StatusPage.objects.get(client=world.acme)
    assert page.is_public
    assert token not in (page.public_digest, page.public_lookup)
    assert token.encode() not in alice.get(f"/status/client/{world.acme.pk}/settings/").content
    anonymous = HttpClient()
    response = anonymous.get(url)
    assert response.status_code == 200
    assert b"Acme website" in response.content
    assert response["X-Robots-Tag"] == "noindex"
    data = anonymous.get(url.removesuffix("/") + ".json").json()
    assert {s["name"] for s in data["services"]} == {"Acme website", "Acme mail", "Acme vpn"}


def test_the_public_page_lists_only_incidents_with_a_public_update(
    world: World, acme: Services
) -> None:
    incidents(world, NOW)
    url = publish_url(world, world.http(world.alice))
    body = HttpClient().get(url).content.decode()
    assert "Mail delivery delayed" in body
    assert PUBLIC_REPLY in body
    assert "Incident #" not in body  # ticket numbers count every client's tickets
    data = HttpClient().get(url.removesuffix("/") + ".json").json()
    assert [i["number"] for i in data["incidents"]] == [None]
    for absent in (
        "Disk filling up",
        NOTE,
        CONTACT_REPLY,
        HOSTNAME,
        ADDRESS,
        "Status page settings",
    ):
        assert absent not in body


def test_a_public_token_shows_its_own_client_only(world: World, acme: Services) -> None:
    services_of(world.globex, "Globex")
    acme_url = publish_url(world, world.http(world.alice))
    globex_token = services.publish(services.page_for(world.globex), NOW)
    globex_body = HttpClient().get(f"/status/{globex_token}/").content.decode()
    assert "Globex website" in globex_body
    assert "Acme" not in globex_body
    acme_body = HttpClient().get(acme_url).content.decode()
    assert "Globex" not in acme_body


def test_wrong_rotated_and_withdrawn_tokens_are_404(world: World, acme: Services) -> None:
    alice = world.http(world.alice)
    first = publish_url(world, alice)
    token = first.split("/")[2]
    anonymous = HttpClient()
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    for wrong in (tampered, "sps_000000000000_" + token.split("_", 2)[2], "nonsense", "client"):
        assert anonymous.get(f"/status/{wrong}/").status_code == 404
        assert anonymous.get(f"/status/{wrong}.json").status_code == 404
    second = publish_url(world, alice)  # rotate
    assert second != first
    assert anonymous.get(first).status_code == 404
    assert anonymous.get(second).status_code == 200
    assert alice.post(f"/status/client/{world.acme.pk}/unpublish/").status_code == 302
    assert anonymous.get(second).status_code == 404
    assert not StatusPage.objects.get(client=world.acme).is_public


def test_only_staff_who_configure_change_the_page(world: World, acme: Services) -> None:
    base = f"/status/client/{world.acme.pk}"
    for user in (world.carol, world.ivan):  # the client's contact, an auditor
        http = world.http(user)
        assert http.get(f"{base}/settings/").status_code == 403
        assert http.post(f"{base}/publish/").status_code == 403
        assert http.post(f"{base}/unpublish/").status_code == 403
    assert not StatusPage.objects.filter(public_lookup__isnull=False).exists()


def test_settings_save_headline_and_hidden_checks(world: World, acme: Services) -> None:
    globex = services_of(world.globex, "Globex")
    alice = world.http(world.alice)
    url = f"/status/client/{world.acme.pk}/settings/"
    refused = alice.post(url, {"headline": "x", "hidden_checks": [globex.web.pk]})
    assert refused.status_code == 200
    assert "hidden_checks" in refused.context["form"].errors
    saved = alice.post(
        url, {"headline": "Acme services", "intro": "Hello", "hidden_checks": [acme.vpn.pk]}
    )
    assert saved.status_code == 302
    page = StatusPage.objects.get(client=world.acme)
    assert page.headline == "Acme services"
    assert list(page.hidden_checks.all()) == [acme.vpn]
    body = world.http(world.carol).get(page_url(world)).content.decode()
    assert "Acme services" in body
    assert "Acme vpn" not in body


def test_the_monitoring_client_page_links_the_status_page(world: World, acme: Services) -> None:
    body = world.http(world.bob).get(f"/monitoring/clients/{world.acme.pk}/").content.decode()
    assert f'href="/status/client/{world.acme.pk}/"' in body
    page = world.http(world.bob).get(page_url(world)).content.decode()
    assert f'href="/status/client/{world.acme.pk}/settings/"' in page
    assert "/settings/" not in world.http(world.carol).get(page_url(world)).content.decode()
