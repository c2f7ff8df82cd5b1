from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from steward.core.audit import verify_chain
from steward.obligations import services
from steward.obligations.choices import Category, Status
from steward.obligations.evaluation import evaluate_all
from steward.obligations.models import Obligation
from steward.obligations.periods import Period

pytestmark = pytest.mark.django_db
NOV_3 = datetime(2026, 11, 3, 12, tzinfo=UTC)


@pytest.fixture
def scored(world, controlled):
    """Acme and Globex with the default set plus a controlled promise, evaluated Aug-Oct."""
    for client in (world.acme, world.globex):
        services.create_default_obligations(client)
        services.create_obligation(
            client=client, name="Controlled", category=Category.SERVICE_DELIVERY,
            measure_key="test.controlled", target=Decimal(95), at_risk_margin=Decimal(2),
        )  # fmt: skip
    controlled.update({"2026-08": 99, "2026-09": 96, "2026-10": 90})
    for key in ("2026-08", "2026-09", "2026-10"):
        evaluate_all(Period.parse(key), NOV_3)
    return world


def _line(area, name):
    return next(line for line in area["obligations"] if line["name"] == name)


def test_scorecard_shape(scored):
    api = scored.bearer(scored.bob, scopes=("read",))
    body = api.get(f"/api/v1/clients/{scored.acme.pk}/scorecard?period=2026-10").json()
    assert body["period"] == "2026-10"
    assert [a["number"] for a in body["areas"]] == list(range(1, 9))
    delivery = body["areas"][0]
    assert delivery["category"] == Category.SERVICE_DELIVERY
    assert delivery["status"] == Status.BREACHED
    line = _line(delivery, "Controlled")
    assert (line["status"], Decimal(line["value"]), Decimal(line["target"])) == (
        Status.BREACHED, Decimal(90), Decimal(95),
    )  # fmt: skip
    assert line["unit"] == "%"
    assert line["evidence"] == [{"label": "rows of 2026-10", "url": "/things/2026-10", "ref": ""}]
    assert len(line["trend"]) == 12
    assert [(p["period"], p["status"]) for p in line["trend"][-3:]] == [
        ("2026-08", Status.MET), ("2026-09", Status.AT_RISK), ("2026-10", Status.BREACHED),
    ]  # fmt: skip
    assert line["trend"][0]["value"] is None  # nothing stored a year back
    desk = _line(delivery, "P1 tickets responded to within target")
    assert desk["status"] == Status.NO_DATA
    assert desk["note"] == "No P1 tickets opened in October 2026."
    qbr = body["areas"][7]["obligations"][0]
    assert qbr["period"] == "2026-Q4"


def test_scorecard_scoping(scored):
    url = f"/api/v1/clients/{scored.acme.pk}/scorecard?period=2026-10"
    assert scored.bearer(scored.dave, scopes=("read",)).get(url).status_code == 404
    assert scored.bearer(scored.eve, scopes=("read",)).get(url).status_code == 404
    assert scored.bearer(scored.bob, scopes=("read",)).get(url).status_code == 200
    assert scored.bearer(scored.carol, scopes=("read",)).get(url).status_code == 200


def test_bad_period_is_a_422_naming_period(scored):
    api = scored.bearer(scored.alice)
    for url in (f"/api/v1/clients/{scored.acme.pk}/scorecard", "/api/v1/scorecards"):
        response = api.get(url, {"period": "2026-13"})
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["query", "period"]


def test_portfolio_shows_worst_status_per_area_for_visible_clients(scored):
    body = scored.bearer(scored.alice).get("/api/v1/scorecards?period=2026-10").json()
    assert [c["client"] for c in body["clients"]] == ["Acme Corporation", "Globex Inc"]
    acme = body["clients"][0]
    assert acme["status"] == Status.BREACHED
    assert acme["areas"][0] == {"category": Category.SERVICE_DELIVERY, "number": 1,
                                "status": Status.BREACHED}  # fmt: skip
    assert acme["areas"][7]["status"] == Status.NO_DATA
    mine = scored.bearer(scored.dave, scopes=("read",)).get("/api/v1/scorecards").json()
    assert [c["client"] for c in mine["clients"]] == ["Globex Inc"]


def test_portfolio_query_count_is_flat(scored, django_assert_max_num_queries):
    api = scored.bearer(scored.alice)
    with django_assert_max_num_queries(12):
        assert api.get("/api/v1/scorecards?period=2026-10").status_code == 200


def test_obligation_crud_and_audit(world, controlled):
    api = world.bearer(world.alice)
    created = api.post(
        "/api/v1/obligations",
        {"client_id": world.acme.pk, "name": "Controlled", "category": "service_delivery",
         "measure_key": "test.controlled", "target": "95", "params": {"level": 2},
         "source_reference": "MSA §4.2"},
        content_type="application/json",
    )  # fmt: skip
    assert created.status_code == 201, created.content
    oid = created.json()["id"]
    patched = api.patch(
        f"/api/v1/obligations/{oid}", {"target": "97.5"}, content_type="application/json"
    )
    assert Decimal(patched.json()["target"]) == Decimal("97.5")
    listed = api.get("/api/v1/obligations", {"client_id": world.acme.pk}).json()
    assert [o["id"] for o in listed["items"]] == [oid]
    assert api.delete(f"/api/v1/obligations/{oid}").status_code == 204
    assert verify_chain() is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"measure_key": "nope.nothing"}, "measure_key"),
        ({"params": {"colour": "red"}}, "params"),
        ({"category": "nine"}, "category"),
        ({"target": "lots"}, "target"),
    ],
)
def test_bad_obligation_input_names_the_field(world, controlled, change, field):
    body = {"client_id": world.acme.pk, "name": "X", "category": "service_delivery",
            "measure_key": "test.controlled", "target": "95", **change}  # fmt: skip
    response = world.bearer(world.alice).post(
        "/api/v1/obligations", body, content_type="application/json"
    )
    assert response.status_code == 422, response.content
    assert field in str(response.json()["detail"])


def test_obligation_scoping_and_vendor_programs_are_staff_only(scored):
    program = services.create_vendor_program(name="Gold partner", vendor="Contoso")
    internal = services.create_obligation(
        vendor_program=program, name="Certified engineers", category="resource_management",
        measure_key="test.controlled", target=Decimal(2),
    )  # fmt: skip
    acme_one = Obligation.objects.filter(client=scored.acme).first()
    dave = scored.bearer(scored.dave, scopes=("read", "write"))
    assert dave.get(f"/api/v1/obligations/{acme_one.pk}").status_code == 404
    assert dave.get(f"/api/v1/obligations/{internal.pk}").status_code == 404
    seen = {o["client_id"] for o in dave.get("/api/v1/obligations?limit=100").json()["items"]}
    assert seen == {scored.globex.pk}
    bob = scored.bearer(scored.bob, scopes=("read",))
    assert bob.get(f"/api/v1/obligations/{internal.pk}").status_code == 200
    assert bob.get(f"/api/v1/obligations/{acme_one.pk}").status_code == 200
    gone = dave.patch(f"/api/v1/obligations/{acme_one.pk}", {"target": "1"},
                      content_type="application/json")  # fmt: skip
    assert gone.status_code in (403, 404)


def test_delete_refused_when_closed_history_exists(scored):
    row = Obligation.objects.filter(client=scored.acme, measure_key="test.controlled").get()
    response = scored.bearer(scored.alice).delete(f"/api/v1/obligations/{row.pk}")
    assert response.status_code == 409
    assert "active=false" in response.json()["detail"]


def test_measures_list_and_default_set_endpoint(world):
    api = world.bearer(world.alice)
    keys = {m["key"] for m in api.get("/api/v1/measures").json()}
    assert {"tenancy.primary_contact_defined", "servicedesk.response_attainment"} <= keys
    response = api.post(f"/api/v1/clients/{world.acme.pk}/obligations/defaults")
    assert response.status_code == 201
    assert {o["category"] for o in response.json()} == set(Category.values)
    assert api.post(f"/api/v1/clients/{world.acme.pk}/obligations/defaults").json() == []
    dave = world.bearer(world.dave)
    assert dave.post(f"/api/v1/clients/{world.acme.pk}/obligations/defaults").status_code in (
        403, 404,
    )  # fmt: skip


def test_scorecard_query_count_does_not_grow_with_obligations(
    scored, django_assert_max_num_queries
):
    api = scored.bearer(scored.alice)
    url = f"/api/v1/clients/{scored.acme.pk}/scorecard?period=2026-10"
    # Token lookup and touch, client, obligations, evaluations (+ savepoints around the view).
    with django_assert_max_num_queries(10):
        assert api.get(url).status_code == 200


def test_patch_with_nulls_is_a_422_naming_each_field(world):
    row = services.create_default_obligations(world.acme)[0]
    response = world.bearer(world.alice).patch(
        f"/api/v1/obligations/{row.pk}",
        {"measure_key": None, "period_kind": None, "active": None, "agreement_id": -931},
        content_type="application/json",
    )
    assert response.status_code == 422
    fields = {err["loc"][-1] for err in response.json()["detail"]}
    assert {"measure_key", "period_kind", "active", "agreement"} <= fields
