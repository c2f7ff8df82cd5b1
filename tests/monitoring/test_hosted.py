"""A hosted collector (the MSP's own, such as the one `steward up` runs) belongs to no client:
it runs checks of several clients, and each check's results and series stay its client's."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from steward.monitoring.models import Collector, Series
from steward.monitoring.services import create_check, create_collector
from tests.conftest import World
from tests.monitoring.helpers import Sender, batch

NOW_S = 1_796_040_000.0


@pytest.fixture
def hosted(world: World) -> Sender:
    collector, token = create_collector(None, kind="collector", name="hosted")
    return Sender(collector, token)


def _check(sender: Sender, client: object, name: str) -> int:
    made = create_check(
        client,  # type: ignore[arg-type]
        collector=sender.collector,
        type="tcp",
        name=name,
        params={"host": "portal.example.com", "port": 443},
    )
    return made.pk


def test_checks_of_two_clients_keep_their_series_apart(world: World, hosted: Sender) -> None:
    acme, globex = _check(hosted, world.acme, "acme"), _check(hosted, world.globex, "globex")
    series = [
        {"metric": "tcp_connect_seconds", "labels": {}, "check_id": pk, "points": [[NOW_S, 0.01]]}
        for pk in (acme, globex)
    ]
    answer = hosted.post(batch(series=series)).json()
    assert answer["errors"] == []
    assert answer["accepted"]["samples"] == 2
    owners = dict(Series.objects.values_list("from_check_id", "client_id"))
    assert owners == {acme: world.acme.pk, globex: world.globex.pk}


def test_a_hosted_collector_reports_no_assets(world: World, hosted: Sender) -> None:
    payload = batch(
        assets=[{"key": "m-1", "hostname": "web-01"}],
        series=[{"metric": "load1", "labels": {}, "asset": "m-1", "points": [[NOW_S, 1.0]]}],
    )
    errors = hosted.post(payload).json()["errors"]
    assert [e["loc"][0] for e in errors] == ["assets", "series"]
    assert all("hosted collector" in e["msg"] for e in errors)


def test_agents_and_site_collectors_need_a_client(world: World) -> None:
    with pytest.raises(ValidationError, match="agent belongs"):
        create_collector(None, kind="agent", name="laptop")
    with pytest.raises(ValidationError, match="site"):
        create_collector(None, kind="collector", name="x", site_id=world.acme_site.pk)


def test_staff_see_hosted_collectors_contacts_do_not(world: World, hosted: Sender) -> None:
    assert hosted.collector in Collector.objects.visible_to(world.bob)
    assert hosted.collector not in Collector.objects.visible_to(world.carol)


def test_a_site_collector_cannot_run_another_client_s_check(world: World) -> None:
    site, _ = create_collector(world.acme, kind="collector", name="acme probe")
    with pytest.raises(ValidationError, match="another client"):
        create_check(
            world.globex,
            collector=site,
            type="tcp",
            name="x",
            params={"host": "h", "port": 1},
        )


def test_the_api_asks_which_client_a_hosted_check_is_for(world: World, hosted: Sender) -> None:
    http = world.http(world.alice)
    base = {"collector_id": hosted.collector.pk, "type": "tcp", "name": "smtp",
            "params": {"host": "mail.example.com", "port": 25}}  # fmt: skip
    refused = http.post("/api/v1/checks", base, content_type="application/json")
    assert refused.status_code == 422
    assert "client_id" in refused.json()["detail"]
    made = http.post(
        "/api/v1/checks", base | {"client_id": world.globex.pk}, content_type="application/json"
    )
    assert made.status_code == 201
    assert made.json()["client_id"] == world.globex.pk
