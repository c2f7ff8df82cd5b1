"""Tenant isolation of the web UI and the admin, generated from the URL configuration.

Every URL pattern (walked recursively through ``include()``) is requested with GET and POST as
dave (Globex's contact) and as eve (a technician assigned to no client), its ``<model>_id``
parameters filled with Acme's objects by the rule in ``tests/test_isolation.py``. A page that
names an Acme object answers 403 or 404 (405 where the view takes one method only); no page
shows Acme data; nothing of Acme's changes. The admin is walked too: for these users every
admin page except its login form redirects to that form.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver

from steward.tenancy import services
from steward.tenancy.choices import Role
from steward.tenancy.models import Client, User
from tests.conftest import PASSWORD, World
from tests.test_isolation import (
    acme_leaks,
    acme_object,
    acme_rows,
    acme_snapshot,
)

ADMIN_PREFIX = "admin/"
API_PREFIX = "api/"  # walked from the OpenAPI schema by tests/test_isolation.py
PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>|\(\?P<(?P<group>\w+)>[^)]*\)")


@dataclass(frozen=True)
class Route:
    pattern: str  # the full pattern, prefixes included
    name: str | None

    @property
    def is_admin(self) -> bool:
        return self.pattern.startswith(ADMIN_PREFIX)

    def params(self) -> list[str]:
        return [m["name"] or m["group"] for m in PARAM.finditer(self.pattern)]


def walk(patterns: list[Any], prefix: str = "") -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield Route(prefix + str(entry.pattern), entry.name)


def ui_routes() -> list[Route]:
    return [r for r in walk(get_resolver().url_patterns) if not r.pattern.startswith(API_PREFIX)]


def _admin_model(pattern: str) -> type[Any] | None:
    parts = pattern.removeprefix(ADMIN_PREFIX).split("/")
    if len(parts) < 2:
        return None
    try:
        return apps.get_model(parts[0], parts[1])
    except (LookupError, ValueError):
        return None


def _admin_value(route: Route, param: str, world: World) -> str:
    """The admin's own parameters: the object of the model the URL is about (Acme's when the
    model has Acme rows), the content type of Client for view-on-site, an app label."""
    if param == "app_label":
        return "tenancy"
    if param == "url":
        return "no-such-page/"
    if param == "content_type_id":
        return str(ContentType.objects.get_for_model(Client).pk)
    model = _admin_model(route.pattern) or Client
    rows = acme_rows(model, world)
    row = rows.order_by("pk").first() if rows is not None else None
    return str(row.pk if row is not None else world.acme.pk)


def fill(route: Route, world: World) -> tuple[str, bool]:
    """(url, names_acme): the URL with every parameter filled with an Acme object."""
    values = {}
    for param in route.params():
        if route.is_admin:
            values[param] = _admin_value(route, param, world)
        else:
            obj = acme_object(param, world)
            assert obj is not None
            values[param] = str(obj.pk)

    def substitute(match: re.Match[str]) -> str:
        return values[match["name"] or match["group"]]

    url = PARAM.sub(substitute, route.pattern)
    url = url.removeprefix("^").removesuffix("$").replace("^", "")
    return "/" + url, bool(values) and not route.is_admin


def form_data(world: World) -> dict[str, Any]:
    """What a POST carries: every usual way of naming an Acme object in a form."""
    return {
        "client": world.acme.pk,
        "client_id": world.acme.pk,
        "site": world.acme_site.pk,
        "contact": world.acme_contact.pk,
        "user": world.carol.pk,
        "name": "probe",
    }


def _signed_in(http: HttpClient, user: User) -> HttpClient:
    # A walked logout or password change may end the session; sign in again so every request
    # is made as the user, not as an anonymous visitor.
    if http.session.get("_auth_user_id") != str(user.pk):
        http.force_login(user)
    return http


def check_admin(method: str, url: str, response: Any) -> list[str]:
    """Non-staff get a refusal or the admin's login form, whatever the admin page."""
    location = response.headers.get("Location", "")
    if response.status_code == 403:
        return []
    if url == "/admin/login/" and response.status_code == 200:
        return []
    if response.status_code == 302 and location.startswith("/admin/login/"):
        return []
    if url == "/admin/logout/" and response.status_code == 302 and location == "/admin/":
        return []  # Django sends non-staff from the admin's logout to its index, then to login
    return [f"expected a refusal or the admin login form, got Location {location!r}"]


def walk_ui(world: World, user: User) -> list[str]:
    problems: list[str] = []
    http = HttpClient()
    for route in ui_routes():
        url, names_acme = fill(route, world)
        for method in ("GET", "POST"):
            http = _signed_in(http, user)
            response = http.get(url) if method == "GET" else http.post(url, form_data(world))
            where = f"{method} {url} ({route.name}) as {user.username} -> {response.status_code}"
            found = []
            if response.status_code >= 500:
                found.append("server error")
            if route.is_admin:
                found += check_admin(method, url, response)
            elif names_acme and response.status_code not in (403, 404, 405):
                found.append("expected 403/404 for a page naming an Acme object")
            leaks = acme_leaks(response.content)
            if leaks:
                found.append(f"body carries Acme data {leaks}")
            problems += [f"{where}: {problem}" for problem in found]
    # After every POST (a client switch among them), the pages that list things still show
    # nothing of Acme's.
    http = _signed_in(http, user)
    for url in ("/", "/clients/", "/account/", "/account/tokens/"):
        leaks = acme_leaks(http.get(url, follow=True).content)
        if leaks:
            problems.append(f"GET {url} after the walk as {user.username}: Acme data {leaks}")
    return problems


@pytest.mark.parametrize("username", ["dave", "eve"])
def test_another_tenant_reaches_no_acme_page(world: World, username: str) -> None:
    for route in ui_routes():
        fill(route, world)  # make every Acme object first, then snapshot
    before = acme_snapshot(world)
    problems = walk_ui(world, getattr(world, username))
    assert problems == [], "\n".join(problems)
    assert acme_snapshot(world) == before, "an Acme row changed during the walk"


def test_the_walk_covers_the_ui_and_the_admin(world: World) -> None:
    routes = ui_routes()
    patterns = {r.pattern for r in routes}
    assert "" in patterns
    assert any(r.is_admin for r in routes)
    assert any("client_id" in r.params() for r in routes if not r.is_admin)
    for route in routes:
        fill(route, world)  # fails loudly on a parameter it cannot fill


def test_positive_control_staff_of_acme_see_its_pages(world: World) -> None:
    """The same URLs open for Acme's own staff, and the leak detector fires on them."""
    owner = world.http(world.alice)
    opened = 0
    for route in ui_routes():
        url, names_acme = fill(route, world)
        if not names_acme:
            continue
        response = owner.get(url)
        assert response.status_code in (200, 405), f"GET {url} as alice: {response.status_code}"
        opened += response.status_code == 200
    assert opened >= 3
    detail = world.http(world.bob).get(f"/clients/{world.acme.pk}/")
    assert detail.status_code == 200
    assert acme_leaks(detail.content), "the leak detector misses Acme's own client page"


def test_positive_control_the_admin_shows_acme_to_a_superuser(world: World) -> None:
    """The redirect dave and eve get from the admin is a refusal: staff get the page."""
    root = services.create_user(
        username="root", role=Role.OWNER, password=PASSWORD, is_staff=True, is_superuser=True
    )
    response = world.http(root).get("/admin/tenancy/client/")
    assert response.status_code == 200
    assert acme_leaks(response.content)


MONITORING_PAGES = {
    "monitoring/": [],
    "monitoring/clients/<int:client_id>/": ["client_id"],
    "monitoring/assets/<int:asset_id>/": ["asset_id"],
    "monitoring/assets/<int:asset_id>/edit/": ["asset_id"],
    "monitoring/clients/<int:client_id>/assets/new/": ["client_id"],
    "monitoring/clients/<int:client_id>/assets/import/": ["client_id"],
    "monitoring/clients/<int:client_id>/checks/": ["client_id"],
    "monitoring/clients/<int:client_id>/checks/new/": ["client_id"],
    "monitoring/checks/<int:check_id>/edit/": ["check_id"],
    "monitoring/checks/<int:check_id>/toggle/": ["check_id"],
    "monitoring/alerts/": [],
    "monitoring/alerts/<int:alert_id>/": ["alert_id"],
    "monitoring/alerts/<int:alert_id>/acknowledge/": ["alert_id"],
    "monitoring/clients/<int:client_id>/rules/": ["client_id"],
    "monitoring/clients/<int:client_id>/rules/new/": ["client_id"],
    "monitoring/rules/<int:alert_rule_id>/edit/": ["alert_rule_id"],
    "monitoring/rules/<int:alert_rule_id>/delete/": ["alert_rule_id"],
    "monitoring/clients/<int:client_id>/maintenance/": ["client_id"],
    "monitoring/clients/<int:client_id>/maintenance/new/": ["client_id"],
    "monitoring/maintenance/<int:maintenance_window_id>/edit/": ["maintenance_window_id"],
    "monitoring/maintenance/<int:maintenance_window_id>/delete/": ["maintenance_window_id"],
}


def test_the_walk_covers_the_monitoring_pages(world: World) -> None:
    """The monitoring pages are in the walk, each naming an Acme object it can fill."""
    routes = {r.pattern: r for r in ui_routes() if r.pattern.startswith("monitoring/")}
    for pattern, params in MONITORING_PAGES.items():
        assert pattern in routes, f"{pattern} is not walked"
        assert routes[pattern].params() == params
        url, names_acme = fill(routes[pattern], world)
        assert names_acme == bool(params), url
