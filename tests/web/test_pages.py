"""Every page of the shell renders for every role, with the content that role should see."""

from __future__ import annotations

import re

import pytest
from django.template.loader import render_to_string
from django.test import Client as HttpClient
from django.urls import reverse

from steward.core.audit import record
from steward.web.navigation import area_links
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

ROLES = ["alice", "bob", "carol", "dave", "eve", "ivan"]


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize(
    "name", ["home", "tenancy:client_list", "account", "tokens", "password_change"]
)
def test_shell_pages_render_for_every_role(world, who, name):
    user = getattr(world, who)
    response = world.http(user).get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Steward MSP" in html  # msp_name in the top bar
    assert "Sign out" in html
    assert user.username in html


def test_side_nav_lists_the_eight_areas_disabled_until_built(world):
    html = world.http(world.bob).get("/").content.decode()
    for label in [
        "Service delivery",
        "Proactive management",
        "Compliance &amp; security",
        "Communication &amp; reporting",
        "Resource management",
        "Agreements",
        "Continuous improvement",
        "Collaboration &amp; alignment",
    ]:
        assert label in html
    # An area is enabled once its app declares its index page (agreements has).
    disabled = sum(1 for link in area_links() if not link.enabled)
    assert disabled < 8
    assert html.count('aria-disabled="true"') == disabled
    assert html.count("arrives in a later release") >= disabled
    assert f'href="{reverse("agreements:index")}"' in html


@pytest.mark.parametrize(
    ("who", "audit", "admin"),
    [("alice", True, True), ("ivan", True, False), ("bob", False, False), ("dave", False, False)],
)
def test_nav_shows_audit_and_admin_only_to_allowed_roles(world, who, audit, admin):
    html = world.http(getattr(world, who)).get("/").content.decode()
    assert (f'href="{reverse("audit_log")}"' in html) is audit
    assert ('href="/admin/"' in html) is admin


def test_dashboard_counts_only_visible_clients(world):
    html = world.http(world.bob).get("/").content.decode()
    assert "Acme Corporation" in html
    assert "Globex Inc" not in html
    assert world.http(world.eve).get("/").context["total"] == 0
    assert world.http(world.alice).get("/").context["total"] == 2


def test_dashboard_shows_recent_audit_only_to_audit_roles(world):
    record("update", object_type="tenancy.client", object_repr="Marker Entry 42")
    assert "Marker Entry 42" in world.http(world.ivan).get("/").content.decode()
    assert "Marker Entry 42" not in world.http(world.bob).get("/").content.decode()


def test_client_switcher_offers_visible_clients_and_remembers_choice(world):
    http = world.http(world.bob)
    html = http.get("/").content.decode()
    assert f'<option value="{world.acme.pk}"' in html
    assert f'<option value="{world.globex.pk}"' not in html
    response = http.post(reverse("switch_client"), {"client_id": world.acme.pk})
    assert response.status_code == 302
    assert response["Location"] == reverse("tenancy:client_detail", args=[world.acme.pk])
    assert http.session["steward_client_id"] == world.acme.pk
    html = http.get("/").content.decode()
    assert f'<option value="{world.acme.pk}" selected>' in html


def test_client_switcher_answers_htmx_with_a_client_redirect(world):
    http = world.http(world.bob)
    response = http.post(
        reverse("switch_client"), {"client_id": world.acme.pk}, headers={"HX-Request": "true"}
    )
    assert response["HX-Redirect"] == reverse("tenancy:client_detail", args=[world.acme.pk])


def test_client_switcher_refuses_another_clients_id(world):
    http = world.http(world.dave)
    response = http.post(reverse("switch_client"), {"client_id": world.acme.pk})
    assert response.status_code == 404
    assert "steward_client_id" not in http.session


def test_security_headers_and_no_inline_script_or_style(world):
    response = world.http(world.alice).get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    html = response.content.decode()
    assert "<style" not in html
    assert " style=" not in html
    assert "<script>" not in html  # every script has a src
    assert 'src="/static/steward/htmx.min.js"' in html
    assert "includeIndicatorStyles" in html
    assert response["X-Frame-Options"] == "DENY"


def test_session_and_csrf_cookies_are_secure_and_http_only(world, client):
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    session = response.cookies["sessionid"]
    assert session["secure"] is True
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"
    client.get(reverse("login"))
    csrf = client.get(reverse("login")).cookies.get("csrftoken") or client.cookies["csrftoken"]
    assert csrf["secure"] is True


@pytest.mark.parametrize("path", ["/no-such-page/", "/clients/999999/"])
def test_not_found_uses_the_shell_error_page(world, path):
    response = world.http(world.alice).get(path)
    assert response.status_code == 404
    assert "Nothing here" in response.content.decode()


def test_static_css_and_js_are_served(world, client):
    for name in ["steward.css", "steward.js", "htmx.min.js"]:
        assert client.get(f"/static/steward/{name}").status_code == 200


def test_client_switcher_form_carries_a_working_csrf_token(world):
    strict = HttpClient(enforce_csrf_checks=True)
    strict.force_login(world.bob)
    html = strict.get("/").content.decode()
    switcher = html[html.index('class="client-switcher"') :]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', switcher).group(1)
    response = strict.post(
        reverse("switch_client"), {"client_id": world.acme.pk, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302


def test_server_error_page_renders_without_a_request():
    html = render_to_string("500.html")
    assert "Something went wrong on our side" in html
    assert 'href="/static/steward/steward.css"' in html


def test_scorecards_link_appears_when_the_obligation_pages_exist(world):
    html = world.http(world.bob).get("/").content.decode()
    assert f'href="{reverse("obligations:portfolio")}">Scorecards</a>' in html
