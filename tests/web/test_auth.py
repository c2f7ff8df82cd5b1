"""Signing in and out: the password step, axes' lock-out, POST-only sign-out, CSRF."""

from __future__ import annotations

import pytest
import time_machine
from django.contrib.auth.hashers import Argon2PasswordHasher, make_password
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from steward import settings as configured
from steward.core.models import AuditEntry
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_login_page_is_styled_and_anonymous_pages_redirect_to_it(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    html = client.get(reverse("login")).content.decode()
    assert 'href="/static/steward/steward.css"' in html
    assert 'autocomplete="current-password"' in html


def test_login_with_the_right_password_opens_the_dashboard(world, client):
    response = client.post(
        reverse("login"), {"username": "bob", "password": PASSWORD, "next": "/clients/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/clients/"
    assert "Acme Corporation" in client.get("/clients/").content.decode()
    assert AuditEntry.objects.filter(action="login", actor_name="bob").exists()


def test_login_refuses_an_offsite_next(world, client):
    response = client.post(
        reverse("login"), {"username": "bob", "password": PASSWORD, "next": "https://evil.test/"}
    )
    assert response["Location"] == reverse("home")


def test_wrong_password_says_so_without_naming_which_part(world, client):
    response = client.post(reverse("login"), {"username": "bob", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_five_failures_lock_the_account_with_a_clear_page(world, client):
    for _ in range(4):
        assert (
            client.post(reverse("login"), {"username": "bob", "password": "x"}).status_code == 200
        )
    locked = client.post(reverse("login"), {"username": "bob", "password": "x"})
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "Too many sign-in attempts" in html
    assert "Try again in 15 minutes" in html
    # Even the right password is refused while locked…
    again = client.post(reverse("login"), {"username": "bob", "password": PASSWORD})
    assert again.status_code == 429
    # …and accepted once the cool-off has passed.
    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=16), tick=False):
        after = client.post(reverse("login"), {"username": "bob", "password": PASSWORD})
    assert after.status_code == 302


def test_lock_is_per_username(world, client):
    for _ in range(5):
        client.post(reverse("login"), {"username": "bob", "password": "x"})
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302


def test_logout_requires_post(world):
    http = world.http(world.bob)
    assert http.get(reverse("logout")).status_code == 405
    assert http.get("/").status_code == 200  # still signed in
    response = http.post(reverse("logout"))
    assert response.status_code == 302
    assert http.get("/").status_code == 302


def test_csrf_is_enforced_on_login_and_forms(world):
    strict = HttpClient(enforce_csrf_checks=True)
    response = strict.post(reverse("login"), {"username": "bob", "password": PASSWORD})
    assert response.status_code == 403
    assert "This form has expired" in response.content.decode()
    strict.force_login(world.alice)
    for url, data in [
        (reverse("tenancy:client_create"), {"name": "Initech", "code": "initech"}),
        (reverse("tokens"), {"name": "x", "scopes": ["read"]}),
        (reverse("logout"), {}),
        (reverse("switch_client"), {"client_id": world.acme.pk}),
    ]:
        assert strict.post(url, data).status_code == 403, url


def test_csrf_token_from_the_page_is_accepted(world):
    strict = HttpClient(enforce_csrf_checks=True)
    page = strict.get(reverse("login"))
    token = page.context["csrf_token"]
    response = strict.post(
        reverse("login"),
        {"username": "bob", "password": PASSWORD, "csrfmiddlewaretoken": str(token)},
    )
    assert response.status_code == 302


def test_passwords_are_hashed_with_argon2_outside_the_tests():
    # The suite hashes with MD5 for speed (tests/conftest.py); the configuration is argon2.
    assert configured.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert make_password("s3cret", hasher=Argon2PasswordHasher()).startswith("argon2$argon2id$")
