"""The generated UI walk reaches every status page route with parameters it can fill (the
public token route with no valid token), and as dave and eve each of them refuses."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from steward.portal.status import services
from tests.conftest import World
from tests.portal.status_world import _fresh_status_cache  # noqa: F401 (autouse fixture)
from tests.test_isolation import acme_leaks
from tests.test_ui_isolation import fill, form_data, ui_routes

STATUS_PAGES = {
    "status/style.css": [],
    "status/client/<int:client_id>/": ["client_id"],
    "status/client/<int:client_id>.json": ["client_id"],
    "status/client/<int:client_id>/settings/": ["client_id"],
    "status/client/<int:client_id>/publish/": ["client_id"],
    "status/client/<int:client_id>/unpublish/": ["client_id"],
    # The token is a credential: unnamed, the walk requests the pattern as written (a 404).
    r"^status/(sps_[0-9a-f]{12}_[A-Za-z0-9_-]{43})/$": [],
    r"^status/(sps_[0-9a-f]{12}_[A-Za-z0-9_-]{43})\.json$": [],
}


def status_routes() -> dict[str, object]:
    return {r.pattern: r for r in ui_routes() if r.pattern.lstrip("^").startswith("status/")}


def test_the_walk_covers_the_status_pages(world: World) -> None:
    routes = status_routes()
    assert set(routes) == set(STATUS_PAGES)
    for pattern, params in STATUS_PAGES.items():
        route = routes[pattern]
        assert route.params() == params  # type: ignore[attr-defined]
        url, names_acme = fill(route, world)  # type: ignore[arg-type]
        assert names_acme == bool(params), url


@pytest.mark.parametrize("username", ["dave", "eve"])
def test_another_tenant_reaches_no_acme_status_page(world: World, username: str) -> None:
    # Acme's page is published: its secret URL must still not be reachable by a guess.
    services.publish(services.page_for(world.acme), world.acme.created_at)
    http = world.http(getattr(world, username))
    problems = []
    for route in status_routes().values():
        url, names_acme = fill(route, world)  # type: ignore[arg-type]
        for method in ("GET", "POST"):
            response = http.get(url) if method == "GET" else http.post(url, form_data(world))
            if names_acme and response.status_code not in (403, 404, 405):
                problems.append(f"{method} {url}: {response.status_code}")
            if acme_leaks(response.content):
                problems.append(f"{method} {url}: Acme data")
    assert problems == []
    assert services.page_for(world.acme).is_public


def test_positive_control_acme_staff_open_the_pages(world: World) -> None:
    http = world.http(world.bob)
    body = http.get(f"/status/client/{world.acme.pk}/").content
    assert acme_leaks(body)
    assert HttpClient().get("/status/style.css").status_code == 200
