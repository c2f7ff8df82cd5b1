"""Sites and contacts through the API: CRUD under their client, validation, conflicts, audit."""

from __future__ import annotations

from steward.core.choices import AuditAction, AuditSource
from steward.tenancy import services
from steward.tenancy.models import Contact, Site
from tests.api.conftest import error_fields, last_audit, send
from tests.conftest import World


def test_sites_are_created_listed_changed_and_deleted_under_their_client(world: World) -> None:
    api = world.bearer(world.alice)
    created = send(api, "POST", f"/clients/{world.acme.pk}/sites", {"name": "Acme Lab"})
    assert created.status_code == 201, created.content
    site = created.json()
    assert site["client_id"] == world.acme.pk

    listed = send(api, "GET", f"/clients/{world.acme.pk}/sites").json()
    assert listed["count"] == 2
    assert [s["name"] for s in listed["items"]] == ["Acme HQ", "Acme Lab"]
    one = send(api, "GET", f"/clients/{world.acme.pk}/sites?limit=1&offset=1").json()
    assert [s["name"] for s in one["items"]] == ["Acme Lab"]

    patched = send(api, "PATCH", f"/sites/{site['id']}", {"city": "Hamburg"})
    assert patched.json()["city"] == "Hamburg"
    entry = last_audit("tenancy.site", object_id=str(site["id"]), action=AuditAction.UPDATE)
    assert (entry.before["city"], entry.after["city"]) == ("", "Hamburg")
    assert entry.client_id == world.acme.pk
    assert entry.source == AuditSource.API

    assert send(api, "DELETE", f"/sites/{site['id']}").status_code == 204
    assert not Site.objects.filter(pk=site["id"]).exists()
    assert last_audit("tenancy.site", object_id=str(site["id"])).action == AuditAction.DELETE


def test_site_input_is_checked(world: World) -> None:
    api = world.bearer(world.alice)
    path = f"/clients/{world.acme.pk}/sites"
    assert error_fields(send(api, "POST", path, {"name": ""})) == ["name"]
    bad_zone = send(api, "POST", path, {"name": "X", "timezone": "Nowhere/Town"})
    assert bad_zone.status_code == 422
    assert error_fields(bad_zone) == ["timezone"]
    duplicate = send(api, "POST", path, {"name": "Acme HQ"})
    assert duplicate.status_code == 409, duplicate.content
    # The same name at another client is fine.
    assert (
        send(api, "POST", f"/clients/{world.globex.pk}/sites", {"name": "Acme HQ"}).status_code
        == 201
    )


def test_contacts_are_created_listed_changed_and_deleted(world: World) -> None:
    api = world.bearer(world.alice)
    path = f"/clients/{world.acme.pk}/contacts"
    body = {"first_name": "Zed", "last_name": "Zulu", "email": "zed@acme.example"}
    created = send(api, "POST", path, {**body, "site_id": world.acme_site.pk})
    assert created.status_code == 201, created.content
    contact = created.json()
    assert contact["site_id"] == world.acme_site.pk

    listed = send(api, "GET", path).json()
    assert [c["last_name"] for c in listed["items"]] == ["Acmeson", "Zulu"]
    assert send(api, "GET", f"/contacts/{contact['id']}").json()["email"] == "zed@acme.example"

    patched = send(api, "PATCH", f"/contacts/{contact['id']}", {"site_id": None, "phone": "+49 1"})
    assert patched.json()["site_id"] is None
    assert patched.json()["phone"] == "+49 1"

    assert send(api, "DELETE", f"/contacts/{contact['id']}").status_code == 204
    assert not Contact.objects.filter(pk=contact["id"]).exists()


def test_contact_input_is_checked(world: World) -> None:
    api = world.bearer(world.alice)
    path = f"/clients/{world.acme.pk}/contacts"
    bad_email = send(api, "POST", path, {"first_name": "Q", "email": "not-an-address"})
    assert bad_email.status_code == 422
    assert error_fields(bad_email) == ["email"]
    other_site = send(
        api,
        "POST",
        path,
        {"first_name": "Q", "email": "q@x.example", "site_id": world.globex_site.pk},
    )
    assert other_site.status_code == 422
    assert error_fields(other_site) == ["site_id"]
    taken = send(api, "POST", path, {"first_name": "C", "email": "carol@acme.example"})
    assert taken.status_code == 409, taken.content
    moved = send(
        api, "PATCH", f"/contacts/{world.acme_contact.pk}", {"site_id": world.globex_site.pk}
    )
    assert moved.status_code == 422
    assert Contact.objects.get(pk=world.acme_contact.pk).site_id is None


def test_a_contact_sees_its_own_client_only_and_may_not_write(world: World) -> None:
    api = world.bearer(world.carol)
    assert send(api, "GET", f"/clients/{world.acme.pk}/sites").json()["count"] == 1
    assert send(api, "GET", f"/clients/{world.globex.pk}/sites").status_code == 404
    refused = send(api, "POST", f"/clients/{world.acme.pk}/sites", {"name": "Mine"})
    assert refused.status_code == 403
    services.create_site(world.globex, name="Globex Annex")
    assert send(api, "GET", f"/sites/{world.globex_site.pk}").status_code == 404
