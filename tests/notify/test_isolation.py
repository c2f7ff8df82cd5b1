"""The generated isolation walks (tests/test_isolation.py, tests/test_ui_isolation.py) limited
to the notify routes: dave and eve reach no Acme channel, policy or delivery through the API
or the pages, and change nothing of Acme's; bob reads Acme's through the API, alice opens its
pages. The full walks cover every app; this one pins the notify routes on their own."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as HttpClient

import tests.test_isolation as api_walk
import tests.test_ui_isolation as ui_walk
from steward.tenancy import services
from tests.conftest import World

ALL_OPERATIONS = api_walk.api_operations
ALL_ROUTES = ui_walk.ui_routes


def notify_operations() -> list[tuple[str, str, dict[str, Any]]]:
    return [op for op in ALL_OPERATIONS() if op[1].startswith("/api/v1/notify/")]


def notify_routes() -> list[ui_walk.Route]:
    return [r for r in ALL_ROUTES() if r.pattern.startswith("notify/")]


@pytest.fixture(autouse=True)
def notify_only(monkeypatch: Any) -> None:
    monkeypatch.setattr(api_walk, "api_operations", notify_operations)
    monkeypatch.setattr(ui_walk, "ui_routes", notify_routes)


@pytest.mark.parametrize("username", ["dave", "eve"])
def test_another_tenant_reaches_no_acme_notify_object(world: World, username: str) -> None:
    operations, routes = api_walk.api_operations(), ui_walk.ui_routes()
    assert len(operations) == 13
    assert len(routes) == 15
    for _, path, operation in operations:
        api_walk.fill_api_call(path, operation, world)  # make Acme's rows before the snapshot
    for route in routes:
        ui_walk.fill(route, world)
    before = api_walk.acme_snapshot(world)
    user = getattr(world, username)
    problems = api_walk.walk_api(world, user) + ui_walk.walk_ui(world, user)
    assert problems == [], "\n".join(problems)
    assert api_walk.acme_snapshot(world) == before


def test_positive_control_acme_staff_see_acme_rows(world: World) -> None:
    owner = world.http(world.alice)
    for route in ui_walk.ui_routes():
        url, _ = ui_walk.fill(route, world)
        assert owner.get(url).status_code in (200, 302, 405), url
    _, plain = services.create_token(world.bob, name="control", scopes=["read"])
    bob = HttpClient(headers={"Authorization": f"Bearer {plain}"})
    read = 0
    for method, path, operation in api_walk.api_operations():
        url, query, _, names_acme = api_walk.fill_api_call(path, operation, world)
        if method == "GET" and names_acme:
            response = bob.get(url, query)
            assert response.status_code == 200, url
            assert api_walk.acme_leaks(response.content), url
            read += 1
    assert read == 3  # a delivery, a channel, a policy
