"""The user API of monitoring: assets, collectors, checks and series, scoped per tenant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from django.db import connection
from django.utils import timezone

from steward.core.crypto import decrypt
from steward.core.models import AuditEntry
from steward.monitoring.models import Check, Collector, Series
from steward.monitoring.services.retention import recompute_rollups
from steward.monitoring.services.samples import write_samples
from tests.conftest import World
from tests.monitoring.helpers import Sender, batch, post

NOW = datetime(2026, 11, 29, 12, 30, tzinfo=UTC)


def test_assets_list_filters_and_properties(world: World) -> None:
    http = world.bearer(world.alice)
    today = timezone.localdate()
    made = http.post(
        "/api/v1/assets",
        {"client_id": world.acme.pk, "name": "old laptop", "kind": "laptop",
         "warranty_ends_on": str(today - timedelta(days=1)), "tags": ["finance"],
         "site_id": world.acme_site.pk, "owner_id": world.acme_contact.pk},
        content_type="application/json",
    )  # fmt: skip
    assert made.status_code == 201, made.content
    assert made.json()["warranty_expired"] is True
    assert made.json()["os_end_of_life"] is None
    http.post(
        "/api/v1/assets",
        {"client_id": world.globex.pk, "name": "new server", "kind": "server"},
        content_type="application/json",
    )
    names = lambda query: [a["name"] for a in http.get(f"/api/v1/assets?{query}").json()["items"]]  # noqa: E731
    assert names("") == ["new server", "old laptop"]
    assert names("kind=laptop") == ["old laptop"]
    assert names("warranty_expired=true") == ["old laptop"]
    assert names("tag=finance") == ["old laptop"]
    assert names(f"client_id={world.globex.pk}") == ["new server"]
    assert names("q=serv") == ["new server"]
    asset_id = made.json()["id"]
    changed = http.patch(
        f"/api/v1/assets/{asset_id}", {"os": "Windows 11"}, content_type="application/json"
    )
    assert changed.json()["os"] == "Windows 11"
    assert AuditEntry.objects.filter(object_type="monitoring.asset").count() >= 3


def test_asset_links_must_belong_to_the_same_client(world: World) -> None:
    http = world.bearer(world.alice)
    answer = http.post(
        "/api/v1/assets",
        {"client_id": world.acme.pk, "name": "x", "site_id": world.globex_site.pk},
        content_type="application/json",
    )
    assert answer.status_code == 422
    assert "site_id" in answer.json()["detail"]


def test_other_tenants_see_none_of_acmes_assets_and_series(
    world: World, acme_collector: Sender
) -> None:
    acme_collector.post(
        batch(
            assets=[{"key": "m1", "hostname": "acme-web"}],
            series=[{"metric": "up", "asset": "m1", "points": [[1_796_039_990, 1]]}],
        )
    )
    series_id = Series.objects.get().pk
    asset_id = Series.objects.get().asset_id
    for user in (world.dave, world.eve):
        http = world.bearer(user)
        assert http.get("/api/v1/assets").json()["items"] == []
        assert http.get("/api/v1/series").json()["items"] == []
        assert http.get(f"/api/v1/assets/{asset_id}").status_code == 404
        assert http.get(f"/api/v1/series/{series_id}/samples").status_code == 404
    carol = world.bearer(world.carol)
    assert [a["hostname"] for a in carol.get("/api/v1/assets").json()["items"]] == ["acme-web"]
    refused = carol.patch(
        f"/api/v1/assets/{asset_id}", {"os": "x"}, content_type="application/json"
    )
    assert refused.status_code == 403


def test_a_collector_token_is_shown_once_and_works_until_revoked(world: World) -> None:
    http = world.bearer(world.alice)
    made = http.post(
        "/api/v1/collectors",
        {"client_id": world.acme.pk, "kind": "collector", "name": "branch probe"},
        content_type="application/json",
    ).json()
    token = made["token"]
    assert token.startswith("stc_")
    listed = http.get("/api/v1/collectors").json()["items"]
    assert "token" not in listed[0]
    assert token not in http.get(f"/api/v1/collectors/{made['id']}").content.decode()
    assert post(token, batch()).status_code == 200
    revoked = http.post(f"/api/v1/collectors/{made['id']}/revoke")
    assert revoked.json()["revoked_at"] is not None
    assert post(token, batch()).status_code == 401
    stored = Collector.objects.get(pk=made["id"])
    assert token not in (stored.digest, stored.lookup)


def test_check_secrets_are_write_only(world: World, acme_collector: Sender) -> None:
    http = world.bearer(world.alice)
    made = http.post(
        "/api/v1/checks",
        {"collector_id": acme_collector.collector.pk, "type": "snmp", "name": "core switch",
         "params": {"host": "10.0.0.2", "community": "s3cret-community"}},
        content_type="application/json",
    )  # fmt: skip
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["secrets_set"] == ["community"]
    assert "community" not in body["params"]
    assert body["params"]["port"] == 161
    check_id = body["id"]
    for response in (http.get(f"/api/v1/checks/{check_id}"), http.get("/api/v1/checks")):
        assert "s3cret" not in response.content.decode()
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret_params FROM monitoring_check WHERE id = %s", [check_id])
        stored = cursor.fetchone()[0]
    assert "s3cret" not in stored  # encrypted at rest
    assert decrypt(stored) == '{"community": "s3cret-community"}'
    audit = AuditEntry.objects.filter(object_type="monitoring.check")
    assert "s3cret" not in str(list(audit.values("before", "after")))
    changed = http.patch(
        f"/api/v1/checks/{check_id}", {"params": {"host": "10.0.0.3"}},
        content_type="application/json",
    ).json()  # fmt: skip
    assert changed["secrets_set"] == ["community"]
    assert Check.objects.get(pk=check_id).secrets() == {"community": "s3cret-community"}
    assert http.delete(f"/api/v1/checks/{check_id}").status_code == 204


def test_check_params_errors_name_the_field(world: World, acme_collector: Sender) -> None:
    http = world.bearer(world.alice)

    def create(kind: str, params: dict[str, object]) -> list[dict[str, str]]:
        answer = http.post(
            "/api/v1/checks",
            {"collector_id": acme_collector.collector.pk, "type": kind, "name": "c",
             "params": params},
            content_type="application/json",
        )  # fmt: skip
        assert answer.status_code == 422
        return answer.json()["detail"]  # type: ignore[no-any-return]

    assert "params.port" in create("tcp", {"host": "h", "port": 70000})[0]["msg"]
    assert "params.url" in create("http", {})[0]["msg"]
    assert "params.community: required" in create("snmp", {"host": "h"})[0]["msg"]
    assert "params.colour" in create("tcp", {"host": "h", "port": 1, "colour": 1})[0]["msg"]
    other = world.bearer(world.dave)
    refused = other.post(
        "/api/v1/checks",
        {"collector_id": acme_collector.collector.pk, "type": "tcp", "name": "c",
         "params": {"host": "h", "port": 1}},
        content_type="application/json",
    )  # fmt: skip
    assert refused.status_code in (403, 404)


def test_series_samples_raw_and_rolled_up(world: World) -> None:
    series = Series.objects.create(client=world.acme, metric="load", key="k")
    hour = int(datetime(2026, 11, 29, 11, tzinfo=UTC).timestamp())
    write_samples([(series.pk, (hour + 60 * i) * 1000, float(i)) for i in range(60)])
    recompute_rollups(NOW, hours=2)
    http = world.bearer(world.bob)
    url = f"/api/v1/series/{series.pk}/samples"
    with time_machine.travel(NOW, tick=False):
        raw = http.get(f"{url}?since=2026-11-29T11:00:00Z&until=2026-11-29T11:03:00Z").json()
        assert raw["source"] == "raw"
        assert raw["points"] == [[hour, 0, 0, 0], [hour + 60, 1, 1, 1], [hour + 120, 2, 2, 2]]
        stepped = http.get(f"{url}?since=2026-11-29T11:00:00Z&until=2026-11-29T12:00:00Z&step=1800")
        assert stepped.json()["points"] == [[hour, 14.5, 0, 29], [hour + 1800, 44.5, 30, 59]]
        rolled = http.get(f"{url}?since=2026-11-20T00:00:00Z&until=2026-11-29T12:00:00Z").json()
        assert rolled["source"] == "rollup"
        assert rolled["points"] == [[hour, 29.5, 0, 59]]
        bad = http.get(f"{url}?since=2026-11-29T12:00:00Z&until=2026-11-29T11:00:00Z")
        assert bad.status_code == 422
        too_many = http.get(f"{url}?since=2026-11-29T11:00:00Z&until=2026-11-29T12:00:00Z&step=0")
        assert too_many.status_code == 200


def test_check_results_newest_first_for_those_who_see_the_client(
    world: World, acme_collector: Sender
) -> None:
    check = acme_collector.http_check()
    results = [
        {"check_id": check.pk, "at": f"2026-11-29T12:0{n}:00Z", "state": state, "duration_ms": n}
        for n, state in enumerate(["ok", "critical", "ok"])
    ]
    acme_collector.post(batch(results=results))
    listed = world.bearer(world.carol).get(f"/api/v1/checks/{check.pk}/results").json()
    assert [(r["state"], r["duration_ms"]) for r in listed["items"]] == [
        ("ok", 2.0),
        ("critical", 1.0),
        ("ok", 0.0),
    ]
    assert world.bearer(world.dave).get(f"/api/v1/checks/{check.pk}/results").status_code == 404
