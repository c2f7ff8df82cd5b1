"""Users and roles through the API: who may list, create, change and deactivate whom."""

from __future__ import annotations

from steward.core.choices import AuditAction, AuditSource
from steward.tenancy import services
from steward.tenancy.models import User
from tests.api.conftest import error_fields, last_audit, send
from tests.conftest import World

ADMIN = ("read", "write", "admin")


def test_me_answers_for_every_signed_in_role(world: World) -> None:
    for user in (world.alice, world.bob, world.carol, world.ivan):
        me = send(world.bearer(user, scopes=("read",)), "GET", "/users/me").json()
        assert (me["username"], me["role"]) == (user.username, user.role)


def test_staff_list_users_filtered_by_role_and_contacts_see_only_themselves(world: World) -> None:
    everyone = send(world.bearer(world.alice, scopes=("read",)), "GET", "/users").json()
    assert everyone["count"] == 6
    techs = send(world.bearer(world.alice, scopes=("read",)), "GET", "/users?role=technician")
    assert [u["username"] for u in techs.json()["items"]] == ["bob", "eve"]
    bob = next(u for u in everyone["items"] if u["username"] == "bob")
    assert bob["assigned_client_ids"] == [world.acme.pk]
    # bob sees staff and Acme's contact, not Globex's
    seen_by_bob = send(world.bearer(world.bob, scopes=("read",)), "GET", "/users").json()
    assert "carol" in [u["username"] for u in seen_by_bob["items"]]
    assert "dave" not in [u["username"] for u in seen_by_bob["items"]]
    refused = send(world.bearer(world.carol, scopes=("read",)), "GET", "/users")
    assert refused.status_code == 403


def test_creating_users_needs_the_admin_scope(world: World) -> None:
    body = {"username": "frank", "role": "technician", "assigned_client_ids": [world.acme.pk]}
    write_only = send(world.bearer(world.alice), "POST", "/users", body)
    assert write_only.status_code == 403
    assert "admin" in write_only.json()["detail"]
    created = send(world.bearer(world.alice, scopes=ADMIN), "POST", "/users", body)
    assert created.status_code == 201, created.content
    frank = User.objects.get(username="frank")
    assert list(frank.assigned_clients.all()) == [world.acme]
    assert not frank.has_usable_password()
    entry = last_audit("tenancy.user", object_id=str(frank.pk), action=AuditAction.CREATE)
    assert (entry.source, entry.actor_name) == (AuditSource.API, "alice")
    assert "password" not in entry.after


def test_user_input_is_checked(world: World) -> None:
    api = world.bearer(world.alice, scopes=ADMIN)
    assert error_fields(send(api, "POST", "/users", {"username": "x", "role": "king"})) == ["role"]
    bad_name = send(api, "POST", "/users", {"username": "a b", "role": "technician"})
    assert error_fields(bad_name) == ["username"]
    no_client = send(api, "POST", "/users", {"username": "c1", "role": "client_contact"})
    assert no_client.status_code == 422
    assert error_fields(no_client) == ["client"]
    ghost = send(
        api, "POST", "/users", {"username": "g", "role": "technician", "assigned_client_ids": [999]}
    )
    assert ghost.status_code == 422
    assert error_fields(ghost) == ["assigned_client_ids"]
    taken = send(api, "POST", "/users", {"username": "bob", "role": "technician"})
    assert taken.status_code == 409
    assert error_fields(taken) == ["username"]


def test_changing_assignments_is_audited_as_an_m2m_change(world: World) -> None:
    api = world.bearer(world.alice, scopes=ADMIN)
    response = send(
        api, "PATCH", f"/users/{world.eve.pk}", {"assigned_client_ids": [world.globex.pk]}
    )
    assert response.status_code == 200, response.content
    assert response.json()["assigned_client_ids"] == [world.globex.pk]
    entry = last_audit("tenancy.user", object_id=str(world.eve.pk), action=AuditAction.UPDATE)
    assert entry.after == {"assigned_clients": {"added": [world.globex.pk]}}
    assert entry.actor_name == "alice"


def test_deactivating_a_user_revokes_its_tokens_but_not_oneself(world: World) -> None:
    api = world.bearer(world.alice, scopes=ADMIN)
    bobs = world.bearer(world.bob, scopes=("read",))
    assert send(bobs, "GET", "/users/me").status_code == 200
    assert send(api, "DELETE", f"/users/{world.bob.pk}").status_code == 204
    assert User.objects.get(pk=world.bob.pk).is_active is False
    assert send(bobs, "GET", "/users/me").status_code == 401
    assert not world.bob.api_tokens.filter(revoked_at__isnull=True).exists()
    self_delete = send(api, "DELETE", f"/users/{world.alice.pk}")
    assert self_delete.status_code == 409


def test_roles_without_the_user_permission_cannot_change_users(world: World) -> None:
    # ivan (auditor) may read users but not change them, whatever the token says.
    api = world.bearer(world.ivan, scopes=("read", "write"))
    assert send(api, "GET", f"/users/{world.bob.pk}").status_code == 200
    assert send(api, "PATCH", f"/users/{world.bob.pk}", {"first_name": "B"}).status_code == 403
    assert send(api, "POST", "/users", {"username": "z", "role": "owner"}).status_code == 403


def test_listing_users_takes_a_fixed_number_of_queries(
    world: World, django_assert_max_num_queries
) -> None:
    for n in range(20):
        services.create_user(username=f"tech{n}", role="technician", assigned_clients=[world.acme])
    api = world.bearer(world.alice, scopes=("read",))
    # token lookup, last-used touch, count, page, assigned clients (prefetched): not one per user
    with django_assert_max_num_queries(7):
        response = send(api, "GET", "/users")
    assert response.json()["count"] == 26
