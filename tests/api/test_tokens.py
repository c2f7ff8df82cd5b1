"""API tokens: scopes, expiry to the second, revocation, shown once and stored hashed, the CLI."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client as HttpClient

from steward.core.choices import AuditAction
from steward.core.models import AuditEntry
from steward.tenancy import services
from steward.tenancy.models import ApiToken
from tests.api.conftest import send
from tests.conftest import World

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def bearer(plain: str) -> HttpClient:
    return HttpClient(headers={"Authorization": f"Bearer {plain}"})


def test_a_read_token_reads_but_cannot_write(world: World) -> None:
    api = world.bearer(world.alice, scopes=("read",))
    assert send(api, "GET", "/clients").status_code == 200
    refused = send(api, "PATCH", f"/clients/{world.acme.pk}", {"notes": "x"})
    assert refused.status_code == 403
    assert refused.json() == {"detail": "this token lacks the 'write' scope"}
    assert send(api, "POST", "/tokens", {"name": "more"}).status_code == 403


def test_a_write_token_cannot_manage_users_or_issue_admin_tokens(world: World) -> None:
    api = world.bearer(world.alice, scopes=("read", "write"))
    assert send(api, "POST", "/users", {"username": "x", "role": "owner"}).status_code == 403
    assert send(api, "POST", "/tokens", {"name": "up", "scopes": ["admin"]}).status_code == 403
    for_bob = send(api, "POST", "/tokens", {"name": "b", "user_id": world.bob.pk})
    assert for_bob.status_code == 403
    assert not ApiToken.objects.filter(user=world.bob).exists()


def test_the_admin_scope_issues_tokens_for_others(world: World) -> None:
    api = world.bearer(world.alice, scopes=("admin",))
    created = send(api, "POST", "/tokens", {"name": "for bob", "user_id": world.bob.pk})
    assert created.status_code == 201, created.content
    assert created.json()["user_id"] == world.bob.pk
    me = send(bearer(created.json()["token"]), "GET", "/users/me").json()
    assert me["username"] == "bob"
    listed = send(api, "GET", "/tokens").json()
    assert {t["user_id"] for t in listed["items"]} == {world.alice.pk, world.bob.pk}


def test_a_technician_cannot_hold_the_admin_scope(world: World) -> None:
    refused = send(world.bearer(world.bob), "POST", "/tokens", {"name": "x", "scopes": ["admin"]})
    assert refused.status_code == 403
    with pytest.raises(Exception, match="admin scope"):
        services.create_token(world.bob, name="x", scopes=["admin"])


def test_a_token_is_shown_once_and_stored_only_as_a_hash(world: World) -> None:
    api = world.bearer(world.alice)
    created = send(api, "POST", "/tokens", {"name": "ci", "scopes": ["read"]}).json()
    plain = created["token"]
    assert plain.startswith("stw_")
    listed = send(api, "GET", "/tokens").json()["items"]
    assert all("token" not in t for t in listed)
    assert plain not in str(listed)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM tenancy_apitoken")
        rows = cursor.fetchall()
        cursor.execute("SELECT before, after FROM core_auditentry")
        audit = cursor.fetchall()
    assert plain not in repr(rows)
    assert plain.rsplit("_", 1)[1] not in repr(rows)  # not even the secret half
    assert plain not in repr(audit)
    token = ApiToken.objects.get(pk=created["id"])
    assert token.digest != plain
    assert len(token.digest) == 64
    assert AuditEntry.objects.filter(
        action=AuditAction.TOKEN_CREATE, object_id=str(token.pk)
    ).exists()


def test_a_token_stops_working_at_the_exact_second_it_expires(world: World) -> None:
    expires = T0 + timedelta(days=1)
    with time_machine.travel(T0, tick=False):
        _, plain = services.create_token(world.alice, name="day", expires_at=expires)
    api = bearer(plain)
    with time_machine.travel(expires - timedelta(seconds=1), tick=False):
        assert send(api, "GET", "/users/me").status_code == 200
    with time_machine.travel(expires, tick=False):
        refused = send(api, "GET", "/users/me")
        assert refused.status_code == 401
        assert "detail" in refused.json()


def test_an_expiry_in_the_past_is_refused(world: World) -> None:
    with time_machine.travel(T0, tick=False):
        api = world.bearer(world.alice)
        past = send(api, "POST", "/tokens", {"name": "x", "expires_at": "2026-03-01T09:00:00Z"})
    assert past.status_code == 422
    assert past.json()["detail"][0]["loc"][-1] == "expires_at"


def test_a_revoked_token_is_refused(world: World) -> None:
    api = world.bearer(world.alice)
    created = send(api, "POST", "/tokens", {"name": "short-lived"}).json()
    other = bearer(created["token"])
    assert send(other, "GET", "/clients").status_code == 200
    assert send(api, "DELETE", f"/tokens/{created['id']}").status_code == 204
    assert send(other, "GET", "/clients").status_code == 401
    assert ApiToken.objects.get(pk=created["id"]).revoked_at is not None
    assert AuditEntry.objects.filter(
        action=AuditAction.TOKEN_REVOKE, object_id=str(created["id"])
    ).exists()


@pytest.mark.parametrize(
    "header",
    [
        "Bearer stw_000000000000_nonsense",
        "Bearer garbage",
        "Token stw_abc",
        "Bearer ",
    ],
)
def test_malformed_or_unknown_tokens_are_401(world: World, header: str) -> None:
    response = HttpClient(headers={"Authorization": header}).get("/api/v1/clients")
    assert response.status_code == 401
    assert "detail" in response.json()


def test_a_tampered_secret_with_a_real_lookup_is_refused(world: World) -> None:
    _, plain = services.create_token(world.alice, name="x")
    kind, lookup, secret = plain.split("_", 2)
    forged = f"{kind}_{lookup}_{'A' * len(secret)}"
    assert send(bearer(forged), "GET", "/clients").status_code == 401


# --- `steward token` ----------------------------------------------------------------------------


def run_token(*args: str) -> str:
    out = StringIO()
    call_command("token", *args, stdout=out)
    return out.getvalue().strip()


def test_cli_prints_a_token_that_works(world: World) -> None:
    plain = run_token("create", "bob", "--scopes", "read,write", "--expires", "30d")
    token = ApiToken.objects.get(user=world.bob)
    assert token.scopes == ["read", "write"]
    assert token.expires_at is not None
    assert send(bearer(plain), "GET", "/users/me").json()["username"] == "bob"
    listed = run_token("list", "--user", "bob")
    assert "read,write" in listed
    assert plain not in listed
    run_token("revoke", str(token.pk))
    assert send(bearer(plain), "GET", "/users/me").status_code == 401


def test_cli_accepts_an_iso_expiry(world: World) -> None:
    with time_machine.travel(T0, tick=False):
        run_token("create", "alice", "--expires", "2026-03-02T09:00:00+00:00")
    assert ApiToken.objects.get(user=world.alice).expires_at == T0 + timedelta(days=1)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("create", "bob", "--scopes", "read,sudo"), "--scopes"),
        (("create", "bob", "--scopes", "admin"), "--scopes"),
        (("create", "bob", "--expires", "soon"), "--expires"),
        (("create", "bob", "--expires", "2001-01-01T00:00:00Z"), "--expires"),
        (("create", "nobody"), "nobody"),
        (("revoke", "99999"), "99999"),
    ],
)
def test_cli_errors_are_clear(world: World, args: tuple[str, ...], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run_token(*args)
    assert not ApiToken.objects.filter(user=world.bob).exists()
