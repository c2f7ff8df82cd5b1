"""POST /api/v1/ingest through the real HTTP stack, gzip-compressed (docs/ingest.md)."""

from __future__ import annotations

import gzip
import json
from typing import Any

import pytest
from django.test import Client as HttpClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from steward.monitoring.models import (
    Asset,
    AssetFact,
    CheckResult,
    CheckState,
    Collector,
    IngestBatch,
    Sample,
    Series,
)
from steward.monitoring.services import create_check, revoke_collector, update_check
from tests.conftest import World
from tests.monitoring.helpers import Sender, batch, make_sender

T0 = 1_796_039_990.0  # 2026-11-29T11:59:50Z


def full_batch(check_id: int) -> dict[str, Any]:
    return batch(
        results=[
            {
                "check_id": check_id,
                "at": "2026-11-29T11:59:58Z",
                "state": "ok",
                "summary": "HTTP 200 in 0.041 s",
                "duration_ms": 41.2,
            }
        ],
        series=[
            {"metric": "http_response_seconds", "labels": {}, "check_id": check_id,
             "points": [[T0 + 8, 0.0412]]},
            {"metric": "disk_used_percent", "labels": {"mount": "/"}, "asset": "machine-1",
             "points": [[T0, 71.5], [T0 + 10, 71.6]]},
        ],
        assets=[
            {"key": "machine-1", "hostname": "web-01", "addresses": ["10.0.0.5"],
             "os": "Debian GNU/Linux", "os_version": "12", "vendor": "Dell Inc.",
             "model": "PowerEdge R350", "serial": "7XK1"}
        ],
        facts=[
            {"asset": "machine-1", "name": "firewall.active", "value": True, "status": "ok",
             "at": "2026-11-29T11:59:50Z"},
            {"asset": "machine-1", "name": "disk.encryption", "value": None,
             "status": "unsupported", "at": "2026-11-29T11:59:50Z"},
        ],
    )  # fmt: skip


def test_a_full_batch_is_stored(world: World, acme_collector: Sender) -> None:
    check = acme_collector.http_check()
    response = acme_collector.post(full_batch(check.pk))
    assert response.status_code == 200, response.content
    answer = response.json()
    assert answer["duplicate"] is False
    assert answer["errors"] == []
    assert answer["accepted"] == {"results": 1, "samples": 3, "assets": 1, "facts": 2}
    asset = Asset.objects.get(key="machine-1")
    assert (asset.client, asset.name, asset.hostname, asset.source) == (
        world.acme,
        "web-01",
        "web-01",
        "collector",
    )
    assert asset.addresses == ["10.0.0.5"]
    assert asset.last_seen_at is not None
    stored = {
        (s.metric, json.dumps(s.labels)): sorted(
            Sample.objects.filter(series=s).values_list("ts", "value")
        )
        for s in Series.objects.filter(client=world.acme)
    }
    assert stored == {
        ("http_response_seconds", "{}"): [(1_796_039_998_000, 0.0412)],
        ("disk_used_percent", '{"mount": "/"}'): [
            (1_796_039_990_000, 71.5),
            (1_796_040_000_000, 71.6),
        ],
    }
    state = CheckState.objects.get(of_check=check)
    assert (state.state, state.summary) == ("ok", "HTTP 200 in 0.041 s")
    assert CheckResult.objects.get(of_check=check).duration_ms == pytest.approx(41.2)
    facts = dict(AssetFact.objects.filter(asset=asset).values_list("name", "status"))
    assert facts == {"firewall.active": "ok", "disk.encryption": "unsupported"}
    collector = Collector.objects.get(pk=acme_collector.collector.pk)
    assert collector.last_seen_at is not None


def test_a_batch_sent_again_is_stored_once(world: World, acme_collector: Sender) -> None:
    check = acme_collector.http_check()
    payload = full_batch(check.pk)
    first = acme_collector.post(payload).json()
    again = acme_collector.post(payload)
    assert again.status_code == 200
    assert again.json() == first | {"duplicate": True, "errors": []}
    assert Sample.objects.count() == 3
    assert CheckResult.objects.count() == 1
    assert IngestBatch.objects.count() == 1


def test_uncompressed_json_is_accepted(world: World, acme_collector: Sender) -> None:
    response = acme_collector.post(batch(), compress=False)
    assert response.status_code == 200
    assert response.json()["accepted"] == {"results": 0, "samples": 0, "assets": 0, "facts": 0}


def test_bad_items_are_reported_and_good_ones_kept(world: World, acme_collector: Sender) -> None:
    check = acme_collector.http_check()
    payload = batch(
        results=[
            {"check_id": check.pk, "at": "2026-11-29T11:59:58Z", "state": "ok"},
            {"check_id": check.pk, "at": "yesterday", "state": "ok"},
            {"check_id": check.pk, "at": "2026-11-29T11:59:58", "state": "fine"},
        ],
        series=[
            {"metric": "up", "check_id": check.pk, "points": [[T0, 1], [T0, "x"], [T0 + 1]]},
            {"metric": "9bad", "check_id": check.pk, "points": [[T0, 1]]},
            {"metric": "up", "asset": "nobody", "points": [[T0, 1]]},
        ],
    )
    answer = acme_collector.post(payload).json()
    assert answer["accepted"]["results"] == 1
    assert answer["accepted"]["samples"] == 1
    errors = {tuple(e["loc"]): e["msg"] for e in answer["errors"]}
    assert errors == {
        ("results", 1, "at"): "'yesterday' is not an RFC 3339 time",
        ("results", 2, "state"): "one of critical, ok, unknown, warning",
        ("series", 0, "points", 1): "value: not a finite number",
        ("series", 0, "points", 2): "must be a [unix seconds, value] pair",
        ("series", 1, "metric"): "matches [a-zA-Z_:][a-zA-Z0-9_:]* (at most 200 characters)",
        ("series", 2, "asset"): (
            "asset: no asset of this sender's client has this key (report it in `assets`)"
        ),
    }


def test_a_collector_cannot_post_for_another_clients_check(
    world: World, acme_collector: Sender, globex_collector: Sender
) -> None:
    globex_check = globex_collector.http_check()
    payload = batch(
        results=[{"check_id": globex_check.pk, "at": "2026-11-29T11:59:58Z", "state": "critical"}],
        series=[{"metric": "up", "check_id": globex_check.pk, "points": [[T0, 0]]}],
    )
    answer = acme_collector.post(payload).json()
    assert [e["loc"] for e in answer["errors"]] == [
        ["results", 0, "check_id"],
        ["series", 0, "check_id"],
    ]
    assert answer["accepted"]["results"] == answer["accepted"]["samples"] == 0
    assert not CheckResult.objects.exists()
    assert not Sample.objects.exists()


def test_asset_keys_are_per_client(
    world: World, acme_collector: Sender, globex_collector: Sender
) -> None:
    acme_collector.post(batch(assets=[{"key": "same-key", "hostname": "acme-box"}]))
    answer = globex_collector.post(
        batch(series=[{"metric": "up", "asset": "same-key", "points": [[T0, 1]]}])
    ).json()
    assert answer["errors"][0]["loc"] == ["series", 0, "asset"]
    globex_collector.post(batch(assets=[{"key": "same-key", "hostname": "globex-box"}]))
    owners = dict(Asset.objects.filter(key="same-key").values_list("client_id", "hostname"))
    assert owners == {world.acme.pk: "acme-box", world.globex.pk: "globex-box"}


def test_assets_are_upserted_by_key(world: World) -> None:
    agent = make_sender(world.acme, "agent", "laptop-agent")
    agent.post(batch(assets=[{"key": "m-1", "hostname": "lap-1", "os_version": "11"}]))
    agent.post(batch(assets=[{"key": "m-1", "hostname": "lap-1", "os_version": "12"}]))
    asset = Asset.objects.get(key="m-1")
    assert (asset.os_version, asset.source) == ("12", "agent")
    assert Asset.objects.count() == 1
    assert Collector.objects.get(pk=agent.collector.pk).asset == asset


def test_an_older_fact_never_replaces_a_newer_one(world: World, acme_collector: Sender) -> None:
    asset = {"key": "m-1", "hostname": "h"}
    new = {"asset": "m-1", "name": "bitlocker", "value": "on", "at": "2026-11-29T12:00:00Z"}
    old = new | {"value": "off", "at": "2026-11-29T11:00:00Z"}
    acme_collector.post(batch(assets=[asset], facts=[new]))
    acme_collector.post(batch(facts=[old]))
    assert AssetFact.objects.get(name="bitlocker").value == "on"


def test_check_state_moves_with_results_in_time_order(world: World, acme_collector: Sender) -> None:
    check = acme_collector.http_check()

    def result(at: str, state: str) -> dict[str, Any]:
        return {"check_id": check.pk, "at": at, "state": state}

    acme_collector.post(batch(results=[
        result("2026-11-29T12:01:00Z", "critical"),
        result("2026-11-29T12:00:00Z", "ok"),
        result("2026-11-29T12:02:00Z", "critical"),
    ]))  # fmt: skip
    state = CheckState.objects.get(of_check=check)
    assert (state.state, state.since.isoformat()) == ("critical", "2026-11-29T12:01:00+00:00")
    acme_collector.post(batch(results=[result("2026-11-29T11:00:00Z", "ok")]))  # a late replay
    state.refresh_from_db()
    assert state.state == "critical"
    assert state.last_result_at.minute == 2
    acme_collector.post(batch(results=[result("2026-11-29T12:03:00Z", "ok")]))
    state.refresh_from_db()
    assert (state.state, state.since.minute) == ("ok", 3)


def test_a_point_sent_in_two_batches_is_stored_once(world: World, acme_collector: Sender) -> None:
    check = acme_collector.http_check()
    points: list[list[float]] = [[T0, 1], [T0 + 1, 2]]
    series = [{"metric": "up", "check_id": check.pk, "points": points}]
    acme_collector.post(batch(series=series))
    points += [[T0 + 2, 3], [T0 + 2, 3]]
    assert acme_collector.post(batch(series=series)).status_code == 200
    assert sorted(Sample.objects.values_list("value", flat=True)) == [1, 2, 3]


# --- Refusals of a whole batch ------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    ["", "Bearer ", "Bearer stc_000000000000_nope", "Basic abc", "Bearer stw_123456789012_x"],
)
def test_401_without_a_valid_sender_token(world: World, header: str) -> None:
    http = HttpClient(headers={"Authorization": header} if header else {})
    response = http.post("/api/v1/ingest", json.dumps(batch()), content_type="application/json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert "token" in response.json()["detail"]


def test_401_for_a_users_api_token_and_a_revoked_collector(
    world: World, acme_collector: Sender
) -> None:
    user_http = world.bearer(world.alice)
    assert (
        user_http.post("/api/v1/ingest", batch(), content_type="application/json").status_code
        == 401
    )
    revoke_collector(acme_collector.collector)
    assert acme_collector.post(batch()).status_code == 401


def test_413_over_the_compressed_and_the_decompressed_limits(
    world: World, acme_collector: Sender, settings: Any
) -> None:
    settings.STEWARD_MONITORING_INGEST_MAX_BYTES = 2000
    settings.STEWARD_MONITORING_INGEST_MAX_DECOMPRESSED_BYTES = 10_000
    big = batch(assets=[{"key": "k", "hostname": "x" * 200}] * 100)  # compresses well
    assert len(gzip.compress(json.dumps(big).encode())) < 2000 < len(json.dumps(big))
    response = acme_collector.post(big)
    assert response.status_code == 413
    assert "decompressed" in response.json()["detail"]
    response = acme_collector.post(big, compress=False)
    assert response.status_code == 413
    assert response.json()["detail"] == "the body is over 2000 bytes"


@pytest.mark.parametrize(
    ("body", "headers", "reason"),
    [
        (b"not json", {"Content-Encoding": "identity"}, "the body is not JSON"),
        (b"\x1f\x8b garbage", {"Content-Encoding": "gzip"}, "not gzip"),
        (b"{}", {"Content-Type": "text/plain", "Content-Encoding": "identity"}, "Content-Type"),
        (b"{}", {"Content-Encoding": "br"}, "Content-Encoding"),
    ],
)
def test_415_for_what_is_not_gzip_or_json(
    world: World, acme_collector: Sender, body: bytes, headers: dict[str, str], reason: str
) -> None:
    response = acme_collector.post(body, compress=False, **headers)
    assert response.status_code == 415
    assert reason in response.json()["detail"]


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ([], "the batch must be a JSON object"),
        ({"results": []}, "batch_id: required"),
        ({"batch_id": ""}, "batch_id: required"),
        ({"batch_id": "x" * 65}, "batch_id: required"),
    ],
)
def test_422_without_a_batch_id_or_an_object(
    world: World, acme_collector: Sender, payload: Any, reason: str
) -> None:
    response = acme_collector.post(payload)
    assert response.status_code == 422
    assert response.json()["detail"].startswith(reason)


def test_429_when_a_sender_goes_over_its_rate(
    world: World, acme_collector: Sender, globex_collector: Sender, settings: Any
) -> None:
    settings.STEWARD_MONITORING_INGEST_RATE = 0.5
    settings.STEWARD_MONITORING_INGEST_BURST = 2
    assert [acme_collector.post(batch()).status_code for _ in range(3)] == [200, 200, 429]
    refused = acme_collector.post(batch())
    assert refused.status_code == 429
    assert refused["Retry-After"] == "2"
    assert globex_collector.post(batch()).status_code == 200  # buckets are per sender


def test_assignments_carry_decrypted_params_and_a_version(
    world: World, acme_collector: Sender, globex_collector: Sender
) -> None:
    http = HttpClient(headers={"Authorization": f"Bearer {acme_collector.token}"})
    empty = http.get("/api/v1/ingest/assignments").json()
    assert empty["checks"] == []
    snmp = create_check(
        world.acme, collector=acme_collector.collector, type="snmp", name="switch",
        params={"host": "10.0.0.2", "community": "s3cret"},
    )  # fmt: skip
    globex_collector.http_check()
    answer = http.get("/api/v1/ingest/assignments").json()
    assert [c["id"] for c in answer["checks"]] == [snmp.pk]
    assert answer["checks"][0]["params"]["community"] == "s3cret"
    assert answer["version"] != empty["version"]
    update_check(snmp, {"enabled": False})
    assert http.get("/api/v1/ingest/assignments").json()["version"] == empty["version"]
    assert HttpClient().get("/api/v1/ingest/assignments").status_code == 401


# --- Any JSON through the whole stack -----------------------------------------------------------

any_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    payload=any_json,
    sections=st.dictionaries(
        st.sampled_from(["results", "series", "assets", "facts"]), any_json, max_size=4
    ),
)
def test_no_json_makes_a_server_error(
    world: World, acme_collector: Sender, payload: Any, sections: dict[str, Any]
) -> None:
    for body in (payload, batch(**sections)):
        assert acme_collector.post(body).status_code in (200, 422)


def test_labels_in_another_order_name_the_same_series(world: World, acme_collector: Sender) -> None:
    acme_collector.post(batch(assets=[{"key": "m", "hostname": "h"}]))
    answer = acme_collector.post(
        batch(
            series=[
                {"metric": "up", "asset": "m", "labels": {"a": "1", "b": "2"}, "points": [[1, 1]]},
                {"metric": "up", "asset": "m", "labels": {"b": "2", "a": "1"}, "points": [[2, 2]]},
            ]
        )
    ).json()
    assert answer["accepted"]["samples"] == 2
    assert Series.objects.count() == 1
    assert Sample.objects.count() == 2


def test_integer_values_and_fractional_seconds_are_stored(
    world: World, acme_collector: Sender
) -> None:
    acme_collector.post(batch(assets=[{"key": "m", "hostname": "h"}]))
    points = [[1.2345, 7], [2, -(10**300)]]
    acme_collector.post(batch(series=[{"metric": "up", "asset": "m", "points": points}]))
    assert list(Sample.objects.order_by("ts").values_list("ts", "value")) == [
        (1234, 7.0),
        (2000, -1e300),
    ]


def test_an_agent_speaks_only_for_its_own_asset(world: World) -> None:
    agent = make_sender(world.acme, "agent", "lap-7")
    other = {"key": "someone-else", "hostname": "ceo-laptop"}
    first = agent.post(batch(assets=[{"key": "lap-7", "hostname": "lap-7"}, other])).json()
    assert first["accepted"]["assets"] == 1
    assert first["errors"] == [
        {
            "loc": ["assets", 1, "key"],
            "msg": "asset: an agent reports only about the asset it runs on (lap-7)",
        }
    ]
    make_sender(world.acme, "collector", "probe").post(batch(assets=[other]))
    later = agent.post(
        batch(
            series=[{"metric": "up", "asset": "someone-else", "points": [[1, 1]]}],
            facts=[
                {
                    "asset": "someone-else",
                    "name": "bitlocker",
                    "value": False,
                    "at": "2026-11-29T12:00:00Z",
                }
            ],
        )
    ).json()
    assert [e["loc"] for e in later["errors"]] == [["series", 0, "asset"], ["facts", 0, "asset"]]
    assert not AssetFact.objects.exists()
    assert not Sample.objects.exists()


def test_null_inventory_fields_leave_the_asset_alone(world: World, acme_collector: Sender) -> None:
    acme_collector.post(batch(assets=[{"key": "m", "hostname": "h", "vendor": "Dell Inc."}]))
    acme_collector.post(batch(assets=[{"key": "m", "hostname": "h2", "vendor": None}]))
    asset = Asset.objects.get(key="m")
    assert (asset.hostname, asset.vendor) == ("h2", "Dell Inc.")
