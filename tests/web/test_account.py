"""The account pages: password change and API tokens (plain value shown once)."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from steward.core.models import AuditEntry
from steward.tenancy import services
from steward.tenancy.models import ApiToken
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_change_password_keeps_the_session_and_the_new_one_works(world):
    http = world.http(world.bob)
    bad = http.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": "x", "new_password2": "y"},
    )
    assert "Old password:" in bad.content.decode()
    new = "a-much-longer-passphrase-2026"
    response = http.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    assert http.get("/").status_code == 200
    fresh = HttpClient()
    assert fresh.post(reverse("login"), {"username": "bob", "password": new}).status_code == 302


def test_token_is_shown_once_and_works_against_the_api(world):
    http = world.http(world.bob)
    response = http.post(reverse("tokens"), {"name": "backup script", "scopes": ["read"]})
    assert response.status_code == 200
    plain = response.context["plain"]
    assert plain.startswith("stw_")
    assert plain in response.content.decode()
    assert response["Cache-Control"].startswith("max-age=0")
    # Not shown again, and not stored.
    assert plain not in http.get(reverse("tokens")).content.decode()
    token = ApiToken.objects.get(name="backup script")
    assert plain not in token.digest
    api = HttpClient(headers={"Authorization": f"Bearer {plain}"})
    assert api.get("/api/v1/clients").status_code == 200


def test_token_form_names_bad_fields(world):
    http = world.http(world.bob)
    response = http.post(reverse("tokens"), {"name": "", "scopes": ["admin"]})
    html = response.content.decode()
    assert "Name: This field is required." in html
    # A technician may not hold the admin scope: the service says so, on the scopes field.
    response = http.post(reverse("tokens"), {"name": "x", "scopes": ["admin"]})
    assert "Scopes: the admin scope needs a role that may change users" in (
        response.content.decode()
    )
    past = http.post(
        reverse("tokens"), {"name": "x", "scopes": ["read"], "expires_on": "2001-01-01"}
    )
    assert "Expires on: must be in the future" in past.content.decode()
    assert not ApiToken.objects.filter(user=world.bob).exists()


def test_revoke_own_token_after_confirmation(world):
    token, _ = services.create_token(world.bob, name="ci")
    http = world.http(world.bob)
    url = reverse("token_revoke", args=[token.pk])
    assert "Revoke token" in http.get(url).content.decode()
    assert http.post(url).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEntry.objects.filter(action="token_revoke", actor_name="bob").exists()


def test_others_tokens_are_404_except_for_owners(world):
    token, _ = services.create_token(world.bob, name="ci")
    url = reverse("token_revoke", args=[token.pk])
    for who in ["eve", "dave", "ivan"]:
        assert world.http(getattr(world, who)).post(url).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    alice = world.http(world.alice)
    listing = alice.get(reverse("tokens"), {"all": "1"}).content.decode()
    assert "ci" in listing
    assert "bob" in listing
    assert (
        "ci</td>" not in world.http(world.eve).get(reverse("tokens"), {"all": "1"}).content.decode()
    )
    assert alice.post(url).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
