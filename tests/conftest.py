"""The named test world (STYLE.md §15): client Acme with alice (owner), bob (technician assigned
to Acme), carol (Acme contact); client Globex with dave (Globex contact); eve, a technician
assigned to no client; and ivan, an auditor."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from dataclasses import dataclass
from typing import Any

import pytest

# Tests never touch a developer's real STEWARD_HOME; the one made here goes when the run ends.
if "STEWARD_HOME" not in os.environ:
    os.environ["STEWARD_HOME"] = tempfile.mkdtemp(prefix="steward-test-home-")
    atexit.register(shutil.rmtree, os.environ["STEWARD_HOME"], ignore_errors=True)

from django.conf import settings as django_settings
from django.test import Client as HttpClient

from steward.tenancy import services
from steward.tenancy.choices import Role
from steward.tenancy.models import Client, Contact, Site, User

PASSWORD = "correct-horse-battery-staple"


@dataclass
class World:
    acme: Client
    globex: Client
    acme_site: Site
    globex_site: Site
    acme_contact: Contact
    globex_contact: Contact
    alice: User
    bob: User
    carol: User
    dave: User
    eve: User
    ivan: User

    def http(self, user: User) -> HttpClient:
        client = HttpClient()
        client.force_login(user)
        return client

    def bearer(self, user: User, scopes: tuple[str, ...] = ("read", "write")) -> HttpClient:
        _, plain = services.create_token(user, name="test", scopes=scopes)
        return HttpClient(headers={"Authorization": f"Bearer {plain}"})


# Argon2 costs about 0.2 s per hash on purpose, and the world makes six users per test; tests
# hash with MD5 and can still check any stored argon2 hash. That production hashes with argon2
# is asserted by tests/web/test_auth.py.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *django_settings.PASSWORD_HASHERS]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture
def world(db: None) -> World:
    acme = services.create_client(
        name="Acme Corporation", code="acme", timezone="Europe/Berlin", country="DE"
    )
    globex = services.create_client(
        name="Globex Inc", code="globex", timezone="America/New_York", country="US"
    )
    acme_site = services.create_site(
        acme, name="Acme HQ", city="Berlin", country="DE", timezone="Europe/Berlin"
    )
    globex_site = services.create_site(
        globex, name="Globex Tower", city="Springfield", country="US"
    )
    acme_contact = services.create_contact(
        acme, first_name="Carol", last_name="Acmeson", email="carol@acme.example"
    )
    globex_contact = services.create_contact(
        globex, first_name="Dave", last_name="Globexer", email="dave@globex.example"
    )
    alice = services.create_user(
        username="alice", role=Role.OWNER, password=PASSWORD, email="alice@msp.example"
    )
    bob = services.create_user(
        username="bob", role=Role.TECHNICIAN, password=PASSWORD, assigned_clients=[acme]
    )
    carol = services.create_user(
        username="carol", role=Role.CLIENT_CONTACT, password=PASSWORD, client=acme
    )
    dave = services.create_user(
        username="dave", role=Role.CLIENT_CONTACT, password=PASSWORD, client=globex
    )
    eve = services.create_user(username="eve", role=Role.TECHNICIAN, password=PASSWORD)
    ivan = services.create_user(username="ivan", role=Role.AUDITOR, password=PASSWORD)
    services.update_contact(acme_contact, {"user": carol})
    services.update_contact(globex_contact, {"user": dave})
    return World(
        acme,
        globex,
        acme_site,
        globex_site,
        acme_contact,
        globex_contact,
        alice,
        bob,
        carol,
        dave,
        eve,
        ivan,
    )
