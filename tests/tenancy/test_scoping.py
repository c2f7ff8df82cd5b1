"""The one scoping helper, ``visible_to``: who sees which clients, sites, contacts and users."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from steward.tenancy import services
from steward.tenancy.choices import Role
from steward.tenancy.models import Client, Contact, Site, User
from tests.conftest import World


def codes(user: object) -> list[str]:
    return sorted(Client.objects.visible_to(user).values_list("code", flat=True))


def test_each_role_sees_its_clients(world: World) -> None:
    assert codes(world.alice) == ["acme", "globex"]
    assert codes(world.ivan) == ["acme", "globex"]
    assert codes(world.bob) == ["acme"]
    assert codes(world.carol) == ["acme"]
    assert codes(world.dave) == ["globex"]
    assert codes(world.eve) == []


@pytest.mark.parametrize("role", [Role.SERVICE_MANAGER, Role.DISPATCHER, Role.ACCOUNT_MANAGER])
def test_managing_roles_see_every_client(world: World, role: str) -> None:
    assert codes(services.create_user(username="m", role=role)) == ["acme", "globex"]


def test_a_technician_may_be_given_every_client(world: World) -> None:
    services.update_user(world.eve, {"sees_all_clients": True})
    assert codes(world.eve) == ["acme", "globex"]


def test_inactive_and_anonymous_users_see_nothing(world: World) -> None:
    services.deactivate_user(world.alice)
    assert codes(world.alice) == []
    assert codes(AnonymousUser()) == []
    assert codes(None) == []
    assert not User.objects.visible_to(AnonymousUser()).exists()


def test_client_owned_rows_follow_their_client(world: World) -> None:
    assert list(Site.objects.visible_to(world.dave)) == [world.globex_site]
    assert list(Contact.objects.visible_to(world.bob)) == [world.acme_contact]
    assert not Site.objects.visible_to(world.eve).exists()
    assert Site.objects.visible_to(world.alice).count() == 2


def test_an_assignment_to_two_clients_lists_each_once(world: World) -> None:
    services.update_user(world.bob, {"assigned_clients": [world.acme, world.globex]})
    assert codes(world.bob) == ["acme", "globex"]  # no duplicate rows from the join
    assert Site.objects.visible_to(world.bob).count() == 2


def test_users_visible_to_each_role(world: World) -> None:
    def names(user: User) -> list[str]:
        return sorted(User.objects.visible_to(user).values_list("username", flat=True))

    assert names(world.alice) == ["alice", "bob", "carol", "dave", "eve", "ivan"]
    assert names(world.bob) == ["alice", "bob", "carol", "eve", "ivan"]  # staff + Acme's contact
    assert names(world.eve) == ["alice", "bob", "eve", "ivan"]
    assert names(world.carol) == ["carol"]  # contacts see only themselves
    assert names(world.dave) == ["dave"]
