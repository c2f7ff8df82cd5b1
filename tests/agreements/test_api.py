"""The agreements API with a bearer token: CRUD, computed dates, flags, scoping."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from steward.agreements import services
from steward.agreements.models import Agreement, License, StatementOfWork
from tests.agreements.conftest import make_agreement
from tests.conftest import World

API = "/api/v1"


def _json(response: Any) -> Any:
    return response.json()


def test_agreement_crud_with_computed_dates(world: World) -> None:
    http = world.bearer(world.alice)
    body = {
        "client_id": world.acme.pk,
        "reference": "ACME-2026",
        "start_date": "2026-01-31",
        "term_months": 1,
        "notice_days": 10,
        "payment_terms": "net_15",
        "currency": "EUR",
    }
    created = http.post(f"{API}/agreements", body, content_type="application/json")
    assert created.status_code == 201, created.content
    out = created.json()
    assert (out["client_id"], out["timezone"], out["payment_terms"]) == (
        world.acme.pk,
        "Europe/Berlin",
        "net_15",
    )
    assert set(out["dates"]) >= {"term_end", "renewal_date", "notice_deadline", "expired"}
    pk = out["id"]
    patched = http.patch(
        f"{API}/agreements/{pk}", {"auto_renew": False}, content_type="application/json"
    )
    assert patched.status_code == 200
    assert patched.json()["dates"]["renewal_date"] is None
    assert patched.json()["dates"]["term_end"] == "2026-02-27"
    assert http.get(f"{API}/agreements?client_id={world.acme.pk}").json()["count"] == 1
    assert http.delete(f"{API}/agreements/{pk}").status_code == 204
    assert not Agreement.objects.filter(pk=pk).exists()


def test_agreement_validation_names_the_field(world: World) -> None:
    http = world.bearer(world.alice)
    body = {"client_id": world.acme.pk, "reference": "X", "start_date": "2026-01-01"}
    bad = http.post(
        f"{API}/agreements", body | {"timezone": "Mars/Base"}, content_type="application/json"
    )
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "timezone"]
    old = http.post(
        f"{API}/agreements", body | {"start_date": "1066-10-14"}, content_type="application/json"
    )
    assert (old.status_code, old.json()["detail"][0]["loc"]) == (422, ["body", "start_date"])


def test_sow_scope_through_the_api(world: World) -> None:
    http = world.bearer(world.alice)
    agreement = make_agreement(world)
    offering = http.post(
        f"{API}/service-offerings",
        {"name": "Managed endpoints", "categories": [{"code": "endpoint", "name": "Endpoints"}]},
        content_type="application/json",
    ).json()
    assert offering["categories"][0]["code"] == "endpoint"
    sow = http.post(
        f"{API}/agreements/{agreement.pk}/sows",
        {
            "title": "Workplace",
            "start_date": "2025-01-01",
            "included_offering_ids": [offering["id"]],
            "device_count": 40,
            "monthly_fee": "1250.00",
        },
        content_type="application/json",
    )
    assert sow.status_code == 201, sow.content
    assert (sow.json()["included_offering_ids"], sow.json()["currency"]) == (
        [offering["id"]],
        "EUR",
    )
    pk = sow.json()["id"]
    clash = http.patch(
        f"{API}/sows/{pk}",
        {"excluded_offering_ids": [offering["id"]]},
        content_type="application/json",
    )
    assert clash.status_code == 422
    assert clash.json()["detail"][0]["loc"] == ["body", "excluded_offering_ids"]
    missing = http.patch(
        f"{API}/sows/{pk}", {"included_offering_ids": [999999]}, content_type="application/json"
    )
    assert missing.status_code == 422
    assert StatementOfWork.objects.get(pk=pk).device_count == 40


def test_license_flags_in_the_api(world: World) -> None:
    http = world.bearer(world.alice)
    body = {
        "client_id": world.acme.pk,
        "vendor": "Microsoft",
        "product": "Microsoft 365 Business Premium",
        "seats": 20,
        "assigned_seats": 20,
        "start_date": "2025-01-01",
        "end_date": "2025-12-31",
        "unit_price": "22.00",
    }
    created = http.post(f"{API}/licenses", body, content_type="application/json").json()
    assert (created["assignment_status"], created["over_assigned"]) == ("ok", False)
    over = http.put(
        f"{API}/licenses/{created['id']}/assigned-seats",
        {"assigned_seats": 23},
        content_type="application/json",
    ).json()
    assert (over["assignment_status"], over["over_assigned"], over["seat_difference"]) == (
        "over",
        True,
        3,
    )
    assert http.get(f"{API}/licenses?assignment=over").json()["count"] == 1
    assert http.get(f"{API}/licenses?assignment=under").json()["count"] == 0
    assert License.objects.get(pk=created["id"]).assigned_seats == 23


def test_dave_cannot_see_acmes_agreements_and_bob_can(world: World) -> None:
    agreement = make_agreement(world)
    lic = services.create_license(
        world.acme, vendor="Veeam", product="Backup", start_date=date(2025, 1, 1),
        end_date=date(2025, 12, 31),
    )  # fmt: skip
    dave = world.bearer(world.dave)
    assert dave.get(f"{API}/agreements").json()["count"] == 0
    assert dave.get(f"{API}/agreements/{agreement.pk}").status_code == 404
    assert dave.get(f"{API}/licenses/{lic.pk}").status_code == 404
    assert dave.get(f"{API}/licenses").json()["count"] == 0
    bob = world.bearer(world.bob)
    assert [a["id"] for a in bob.get(f"{API}/agreements").json()["items"]] == [agreement.pk]
    assert bob.get(f"{API}/agreements/{agreement.pk}").status_code == 200
    # bob is a technician: he reads but may not change agreements
    assert bob.delete(f"{API}/agreements/{agreement.pk}").status_code == 403
    carol = world.bearer(world.carol)
    assert carol.get(f"{API}/agreements/{agreement.pk}").status_code == 200
    # Acme's contact sees the price of its license, never the MSP's cost.
    assert carol.get(f"{API}/licenses/{lic.pk}").json()["unit_cost"] is None
    assert carol.get(f"{API}/licenses").json()["items"][0]["unit_cost"] is None
    assert bob.get(f"{API}/licenses/{lic.pk}").json()["unit_cost"] == "0.00"


def test_a_token_without_write_scope_cannot_create(world: World) -> None:
    http = world.bearer(world.alice, scopes=("read",))
    body = {"client_id": world.acme.pk, "reference": "R", "start_date": "2026-01-01"}
    assert http.post(f"{API}/agreements", body, content_type="application/json").status_code == 403
    assert not Agreement.objects.exists()


def test_reminders_list_and_acknowledge(world: World, agreement: Agreement) -> None:

    services.raise_reminders(datetime(2025, 9, 1, 10, tzinfo=UTC))
    http = world.bearer(world.alice)
    listed = http.get(f"{API}/reminders?open=true").json()
    assert listed["count"] == 1
    item = listed["items"][0]
    assert (item["kind"], item["threshold"], item["due_date"], item["subject"]) == (
        "agreement_notice",
        60,
        "2025-10-02",
        "MSA ACME-MSA-1",
    )
    acked = http.post(f"{API}/reminders/{item['id']}/acknowledge")
    assert acked.status_code == 200
    assert acked.json()["acknowledged_at"] is not None
    assert http.get(f"{API}/reminders?open=true").json()["count"] == 0
    assert world.bearer(world.dave).get(f"{API}/reminders").json()["count"] == 0
