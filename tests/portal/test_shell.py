"""The portal's shell: branded with the MSP's name, logo and colours, its own navigation
(with the status page once it exists), sign-in that lands contacts on the portal, and the
client's scorecard."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import time_machine
from django.test import Client as HttpClient

from steward.obligations.evaluation import evaluate_all
from steward.obligations.periods import Period
from steward.obligations.services import create_default_obligations
from tests.conftest import PASSWORD, World

LOGO = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect/></svg>'


def test_the_shell_carries_the_msps_branding(world: World, settings: Any, tmp_path: Path) -> None:
    logo = tmp_path / "logo.svg"
    logo.write_bytes(LOGO)
    settings.STEWARD_MSP_NAME = "Northwind IT"
    settings.STEWARD_MSP_LOGO = str(logo)
    settings.STEWARD_MSP_COLOUR = "#123abc"
    page = world.http(world.carol).get("/portal/").content.decode()
    assert "Northwind IT" in page
    assert 'src="data:image/svg+xml;base64,' in page
    assert 'name="viewport"' in page
    assert "/portal/brand.css" in page
    assert "Acme Corporation" in page, "the contact's own client is named"
    for label in ("Tickets", "Approvals", "Reports", "Scorecard", "Assets"):
        assert f">{label}</a>" in page
    assert "sidenav" not in page, "not the staff shell"
    css = HttpClient().get("/portal/brand.css")
    assert css["Content-Type"].startswith("text/css")
    assert "--brand: #123abc" in css.content.decode()


def test_the_nav_links_the_clients_status_page(world: World) -> None:
    page = world.http(world.carol).get("/portal/").content.decode()
    assert f'href="/status/client/{world.acme.pk}/"' in page


def test_password_sign_in_lands_contacts_on_the_portal_and_staff_on_the_dashboard(
    world: World,
) -> None:
    page = HttpClient().get("/portal/login/")
    assert page.status_code == 200
    assert b'<label for="id_username">' in page.content
    assert b'<label for="id_email">' in page.content
    assert b"csrfmiddlewaretoken" in page.content
    contact = HttpClient().post("/login/", {"username": "carol", "password": PASSWORD})
    assert contact["Location"] == "/portal/"
    staff = HttpClient().post("/login/", {"username": "bob", "password": PASSWORD})
    assert staff["Location"] == "/"
    portal_form = HttpClient().post("/portal/login/", {"username": "carol", "password": PASSWORD,
                                                       "next": "/portal/"})  # fmt: skip
    assert portal_form["Location"] == "/portal/"
    wrong = HttpClient().post("/portal/login/", {"username": "carol", "password": "nope"})
    assert wrong.status_code == 200
    assert b"Please enter a correct username and password" in wrong.content


def test_posts_need_the_csrf_token(world: World) -> None:
    http = HttpClient(enforce_csrf_checks=True)
    http.force_login(world.carol)
    response = http.post("/portal/tickets/new/", {"subject": "x"})
    assert response.status_code == 403


def test_the_scorecard_shows_the_clients_obligations_without_staff_links(world: World) -> None:
    create_default_obligations(world.acme)
    moment = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    evaluate_all(Period.parse("2026-10"), moment, clients=[world.acme])
    http = world.http(world.carol)
    with time_machine.travel(moment, tick=False):
        page = http.get("/portal/scorecard/", {"period": "2026-10"}).content.decode()
        bad = http.get("/portal/scorecard/", {"period": "2026-13"}).content.decode()
    assert "Service delivery" in page
    assert "October 2026" in page
    assert 'href="/obligations/' not in page, "no links into the staff pages"
    assert "scorecard/evaluate" not in page
    assert "period: " in bad
    assert "November 2026" in bad
