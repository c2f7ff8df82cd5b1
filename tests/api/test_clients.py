"""Clients through the API: CRUD, pagination, filters, validation, conflicts, audit, queries."""

from __future__ import annotations

import pytest

from steward.core.audit import verify_chain
from steward.core.choices import AuditAction, AuditSource
from steward.tenancy import services
from steward.tenancy.models import Client
from tests.api.conftest import error_fields, last_audit, send
from tests.conftest import World

NEW = {"name": "Initech", "code": "initech", "timezone": "Europe/Paris", "country": "FR"}


def test_owner_creates_reads_updates_and_deletes_a_client(world: World) -> None:
    api = world.bearer(world.alice)
    created = send(api, "POST", "/clients", NEW)
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["name"] == "Initech"
    assert body["status"] == "active"
    client_id = body["id"]

    assert send(api, "GET", f"/clients/{client_id}").json()["timezone"] == "Europe/Paris"
    patched = send(api, "PATCH", f"/clients/{client_id}", {"industry": "Software"})
    assert patched.status_code == 200
    assert patched.json()["industry"] == "Software"
    assert patched.json()["name"] == "Initech"  # untouched fields stay

    assert send(api, "DELETE", f"/clients/{client_id}").status_code == 204
    assert send(api, "GET", f"/clients/{client_id}").status_code == 404
    assert not Client.objects.filter(pk=client_id).exists()
    assert verify_chain() is None


def test_changes_are_audited_as_the_token_owner_through_the_api(world: World) -> None:
    api = world.bearer(world.alice)
    client_id = send(api, "POST", "/clients", NEW).json()["id"]
    created = last_audit("tenancy.client", object_id=str(client_id), action=AuditAction.CREATE)
    assert (created.source, created.actor_id, created.actor_name) == (
        AuditSource.API,
        world.alice.pk,
        "alice",
    )
    assert created.after["name"] == "Initech"
    assert created.before is None
    assert created.client_id == client_id

    send(api, "PATCH", f"/clients/{client_id}", {"notes": "VIP"})
    updated = last_audit("tenancy.client", object_id=str(client_id), action=AuditAction.UPDATE)
    assert updated.before["notes"] == ""
    assert set(updated.after) == {"notes", "updated_at"}  # only what changed
    assert updated.after["notes"] == "VIP"
    assert updated.source == AuditSource.API

    send(api, "DELETE", f"/clients/{client_id}")
    deleted = last_audit("tenancy.client", object_id=str(client_id), action=AuditAction.DELETE)
    assert deleted.before["code"] == "initech"
    assert deleted.actor_name == "alice"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"code": "x"}, "name"),
        ({"name": "X", "code": "has space"}, "code"),
        ({"name": "X", "code": "x", "timezone": "Mars/Base"}, "timezone"),
        ({"name": "X", "code": "x", "country": "germany"}, "country"),
        ({"name": "X", "code": "x", "status": "asleep"}, "status"),
        ({"name": "X", "code": "x", "onboarded_on": "yesterday"}, "onboarded_on"),
        ({"name": "X", "code": "x", "website": "not a url"}, "website"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(world: World, body: dict, field: str) -> None:
    response = send(world.bearer(world.alice), "POST", "/clients", body)
    assert response.status_code == 422, response.content
    assert field in error_fields(response)
    assert not Client.objects.filter(code="x").exists()


@pytest.mark.parametrize("taken", [{"name": "Acme Corporation"}, {"code": "acme"}])
def test_a_taken_name_or_code_is_a_409(world: World, taken: dict) -> None:
    body = {"name": "Other", "code": "other", **taken}
    response = send(world.bearer(world.alice), "POST", "/clients", body)
    assert response.status_code == 409, response.content
    assert list(taken) == error_fields(response)
    patch = send(world.bearer(world.alice), "PATCH", f"/clients/{world.globex.pk}", taken)
    assert patch.status_code == 409


def test_pagination_by_limit_and_offset_with_a_total_count(world: World) -> None:
    for n in range(5):
        services.create_client(name=f"Client {n:02}", code=f"c{n}")
    api = world.bearer(world.alice, scopes=("read",))
    page = send(api, "GET", "/clients?limit=3&offset=2").json()
    assert page["count"] == 7
    assert [c["name"] for c in page["items"]] == ["Client 01", "Client 02", "Client 03"]
    tail = send(api, "GET", "/clients?limit=3&offset=6").json()
    assert [c["name"] for c in tail["items"]] == ["Globex Inc"]
    assert send(api, "GET", "/clients?limit=0").status_code == 422
    assert send(api, "GET", "/clients?offset=-1").status_code == 422


def test_filters_by_text_and_status(world: World) -> None:
    services.update_client(world.globex, {"status": "prospect"})
    api = world.bearer(world.alice, scopes=("read",))
    assert [c["code"] for c in send(api, "GET", "/clients?q=ACM").json()["items"]] == ["acme"]
    prospects = send(api, "GET", "/clients?status=prospect").json()
    assert [c["code"] for c in prospects["items"]] == ["globex"]
    assert send(api, "GET", "/clients?status=sleeping").status_code == 422


def test_a_technician_sees_assigned_clients_and_may_not_change_them(world: World) -> None:
    api = world.bearer(world.bob)
    assert [c["code"] for c in send(api, "GET", "/clients").json()["items"]] == ["acme"]
    refused = send(api, "PATCH", f"/clients/{world.acme.pk}", {"notes": "x"})
    assert refused.status_code == 403
    assert "detail" in refused.json()
    assert send(api, "POST", "/clients", NEW).status_code == 403


def test_listing_clients_takes_a_fixed_number_of_queries(
    world: World, django_assert_max_num_queries
) -> None:
    for n in range(30):
        services.create_client(name=f"Client {n:02}", code=f"c{n}")
    api = world.bearer(world.alice, scopes=("read",))
    # token lookup, last-used touch, count, page: no query per client
    with django_assert_max_num_queries(6):
        response = send(api, "GET", "/clients")
    assert response.json()["count"] == 32
