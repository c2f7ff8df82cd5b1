"""Two-factor sign-in: enrol with a real TOTP code, the code step after the password,
the secret encrypted at rest, throttling, and removal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django_otp.oath import totp

from steward.core.models import AuditEntry
from steward.web.models import EncryptedTOTPDevice
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, 0, tzinfo=UTC)


def code_for(device: EncryptedTOTPDevice, at: datetime) -> str:
    """The code an authenticator app shows at ``at``, computed independently of the device."""
    with time_machine.travel(at, tick=False):
        return f"{totp(device.bin_key, step=30, digits=6):06d}"


def enrol(world, http, at: datetime = T0) -> EncryptedTOTPDevice:
    with time_machine.travel(at, tick=False):
        assert http.post(reverse("otp_setup"), {"start": "1"}).status_code == 302
        device = EncryptedTOTPDevice.objects.get(user=world.bob)
        page = http.get(reverse("otp_setup"))
        assert page.status_code == 200
        confirmed = http.post(reverse("otp_setup"), {"code": code_for(device, at)})
        assert confirmed.status_code == 302, confirmed.content
    device.refresh_from_db()
    return device


def test_enrol_shows_qr_and_secret_then_confirms_with_a_real_code(world):
    http = world.http(world.bob)
    with time_machine.travel(T0, tick=False):
        http.post(reverse("otp_setup"), {"start": "1"})
        device = EncryptedTOTPDevice.objects.get(user=world.bob)
        assert device.confirmed is False
        html = http.get(reverse("otp_setup")).content.decode()
        assert "<svg" in html
        assert device.base32_key[:4] in html.replace(" ", "")
        assert " style=" not in html  # the inline SVG must pass style-src 'self'
        wrong = http.post(reverse("otp_setup"), {"code": "000000"})
        assert wrong.status_code == 200
        assert "Code from the app: this code does not match" in wrong.content.decode()
    # Throttled after a failure: wait past it, then the right code is accepted.
    later = T0 + timedelta(seconds=5)
    with time_machine.travel(later, tick=False):
        ok = http.post(reverse("otp_setup"), {"code": code_for(device, later)})
    assert ok.status_code == 302
    device.refresh_from_db()
    assert device.confirmed is True
    assert AuditEntry.objects.filter(object_type="web.encryptedtotpdevice").exists()


def test_secret_is_encrypted_at_rest(world):
    device = enrol(world, world.http(world.bob))
    with connection.cursor() as cursor:
        cursor.execute("SELECT key FROM web_encryptedtotpdevice WHERE id = %s", [device.pk])
        raw = cursor.fetchone()[0]
    assert device.key not in raw
    assert device.base32_key not in raw
    assert raw.startswith("gAAAA")  # a Fernet token
    # …and the audit log never copies it either.
    for entry in AuditEntry.objects.filter(object_type="web.encryptedtotpdevice"):
        assert "key" not in (entry.after or {})


def test_password_alone_reaches_only_the_code_step(world, client):
    enrol(world, world.http(world.bob))
    at = T0 + timedelta(minutes=5)
    with time_machine.travel(at, tick=False):
        response = client.post(reverse("login"), {"username": "bob", "password": PASSWORD})
        assert response.status_code == 302
        for path in ["/", "/clients/", reverse("account"), "/admin/"]:
            gate = client.get(path)
            assert gate.status_code == 302, path
            assert gate["Location"].startswith(reverse("otp_verify"))
        api = client.get("/api/v1/clients")
        assert api.status_code == 403
        htmx = client.get("/clients/", headers={"HX-Request": "true"})
        assert htmx["HX-Redirect"].startswith(reverse("otp_verify"))
        page = client.get(reverse("otp_verify"))
        assert "Enter your code" in page.content.decode()


def test_code_step_with_a_real_code_unlocks_the_session(world, client):
    device = enrol(world, world.http(world.bob))
    at = T0 + timedelta(minutes=5)
    with time_machine.travel(at, tick=False):
        client.post(reverse("login"), {"username": "bob", "password": PASSWORD})
        bad = client.post(
            reverse("otp_verify"), {"otp_device": device.persistent_id, "otp_token": "123456"}
        )
        assert "That code is not right" in bad.content.decode()
    later = at + timedelta(seconds=5)  # past the 1-second throttle
    with time_machine.travel(later, tick=False):
        good = client.post(
            reverse("otp_verify") + "?next=/clients/",
            {"otp_device": device.persistent_id, "otp_token": code_for(device, later)},
        )
        assert good.status_code == 302
        assert good["Location"] == "/clients/"
        assert client.get("/clients/").status_code == 200
        # The same code cannot be used twice (replay).
        other = world.http(world.bob)
        other.force_login(world.bob)
        replay = other.post(
            reverse("otp_verify"),
            {"otp_device": device.persistent_id, "otp_token": code_for(device, later)},
        )
        assert replay.status_code == 200


def test_code_step_rejects_another_users_device(world, client):
    device = enrol(world, world.http(world.bob))
    alice_http = world.http(world.alice)
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        alice_http.post(reverse("otp_setup"), {"start": "1"})
    alice_device = EncryptedTOTPDevice.objects.get(user=world.alice)
    with time_machine.travel(T0 + timedelta(minutes=2), tick=False):
        alice_http.post(
            reverse("otp_setup"), {"code": code_for(alice_device, T0 + timedelta(minutes=2))}
        )
    at = T0 + timedelta(minutes=10)
    with time_machine.travel(at, tick=False):
        client.post(reverse("login"), {"username": "bob", "password": PASSWORD})
        forged = client.post(
            reverse("otp_verify"),
            {"otp_device": alice_device.persistent_id, "otp_token": code_for(alice_device, at)},
        )
        assert forged.status_code == 200
        assert client.get("/").status_code == 302
    assert device.pk != alice_device.pk


def test_remove_needs_a_current_code(world):
    http = world.http(world.bob)
    device = enrol(world, http)
    at = T0 + timedelta(minutes=3)
    with time_machine.travel(at, tick=False):
        http.post(reverse("otp_remove"), {"code": "000000"})
        assert EncryptedTOTPDevice.objects.filter(user=world.bob).exists()
    later = at + timedelta(seconds=10)
    with time_machine.travel(later, tick=False):
        response = http.post(reverse("otp_remove"), {"code": code_for(device, later)})
    assert response.status_code == 302
    assert not EncryptedTOTPDevice.objects.filter(user=world.bob).exists()


def test_client_contacts_cannot_enrol(world):
    http = world.http(world.carol)
    assert http.get(reverse("otp_settings")).status_code == 403
    assert http.post(reverse("otp_setup"), {"start": "1"}).status_code == 403


def test_settings_page_shows_state(world):
    http = world.http(world.bob)
    assert "Set up an authenticator app" in http.get(reverse("otp_settings")).content.decode()
    enrol(world, http)
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):  # the session's own time
        html = http.get(reverse("otp_settings")).content.decode()
    assert "Turn off two-factor sign-in" in html
