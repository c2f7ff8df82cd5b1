"""The hash-chained audit log: every kind of change is chained, and any edit or removal of an
entry, however it is made, is caught by `steward audit verify`."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client as HttpClient

from steward.core.audit import acting_as, record, verify_chain
from steward.core.choices import AuditAction, AuditSource
from steward.core.models import AuditChainHead, AuditEntry
from steward.tenancy import services
from tests.conftest import PASSWORD, World


def verify() -> str:
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    return out.getvalue()


def a_series_of_changes(world: World) -> None:
    """Create, update, delete, m2m changes from both sides, sign-ins good and bad."""
    with acting_as(world.alice, AuditSource.CLI):
        initech = services.create_client(name="Initech", code="initech")
        services.update_client(initech, {"notes": "new", "industry": "Software"})
        site = services.create_site(initech, name="Basement")
        services.delete_site(site)
        services.update_user(world.eve, {"assigned_clients": [initech, world.acme]})
        services.update_user(world.eve, {"assigned_clients": [world.acme]})
        world.acme.assigned_staff.add(world.ivan)
        world.eve.assigned_clients.clear()
        services.delete_client(initech)
    browser = HttpClient()
    browser.post("/login/", {"username": "bob", "password": "wrong"})
    browser.post("/login/", {"username": "bob", "password": PASSWORD})


def test_the_chain_holds_after_every_kind_of_change(world: World) -> None:
    start = AuditEntry.objects.count()
    a_series_of_changes(world)
    assert verify_chain() is None
    assert "intact" in verify()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        AuditAction.CREATE,
        AuditAction.UPDATE,
        AuditAction.DELETE,
        AuditAction.LOGIN,
        AuditAction.LOGIN_FAILED,
    } <= actions
    assert AuditEntry.objects.count() > start + 10
    seqs = list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))


def test_m2m_changes_are_recorded_from_either_side(world: World) -> None:
    world.acme.assigned_staff.add(world.eve)
    reverse = AuditEntry.objects.filter(object_type="tenancy.client").order_by("-seq").first()
    assert reverse is not None
    assert reverse.after == {"assigned_staff": {"added": [world.eve.pk]}}
    assert reverse.client_id == world.acme.pk
    world.bob.assigned_clients.clear()
    cleared = AuditEntry.objects.order_by("-seq").first()
    assert cleared is not None
    assert (cleared.object_type, cleared.object_id) == ("tenancy.user", str(world.bob.pk))
    assert cleared.after == {"assigned_clients": {"cleared": [world.acme.pk]}}
    assert verify_chain() is None


def test_sign_ins_are_recorded_with_the_user_and_the_door(world: World) -> None:
    browser = HttpClient()
    browser.post("/login/", {"username": "carol", "password": "nope"})
    failed = AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED).get()
    assert failed.object_repr == "carol"
    assert failed.actor_id is None
    browser.post("/login/", {"username": "carol", "password": PASSWORD})
    login = AuditEntry.objects.filter(action=AuditAction.LOGIN).get()
    assert (login.actor_name, login.source) == ("carol", AuditSource.UI)


def _middle_seq() -> int:
    count = AuditEntry.objects.count()
    assert count >= 5
    return count // 2


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("actor_name", "'mallory'"),
        ("object_repr", "'Something else'"),
        ("after", "NULL"),
        ("before", '\'{"name": "x"}\''),
        ("source", "'cli'"),
        ("client_id", "424242"),
    ],
)
def test_verify_catches_an_edit_made_in_sql(world: World, column: str, value: str) -> None:
    a_series_of_changes(world)
    seq = _middle_seq()
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE core_auditentry SET {column} = {value} WHERE seq = %s", [seq])  # noqa: S608
    with pytest.raises(CommandError, match=rf"#{seq}\b.*edited"):
        verify()


def test_verify_catches_an_edit_that_also_rewrites_the_hash(world: World) -> None:
    a_series_of_changes(world)
    seq = _middle_seq()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_auditentry SET actor_name = 'mallory', hash = %s WHERE seq = %s",
            ["f" * 64, seq],
        )
    # The entry after it no longer links to it.
    with pytest.raises(CommandError, match=rf"#{seq}\b"):
        verify()


def test_verify_catches_a_deleted_middle_entry(world: World) -> None:
    a_series_of_changes(world)
    seq = _middle_seq()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE seq = %s", [seq])
    with pytest.raises(CommandError, match=rf"#{seq}\b.*missing"):
        verify()


def test_verify_catches_a_deleted_last_entry(world: World) -> None:
    a_series_of_changes(world)
    last = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True)[0]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE seq = %s", [last])
    with pytest.raises(CommandError, match=rf"#{last}\b.*missing"):
        verify()


def test_entries_are_append_only_through_the_orm(world: World) -> None:
    entry = AuditEntry.objects.order_by("seq").first()
    assert entry is not None
    entry.actor_name = "mallory"
    with pytest.raises(ValueError, match="append-only"):
        entry.save()
    with pytest.raises(ValueError, match="append-only"):
        entry.delete()
    assert AuditEntry.objects.get(pk=entry.pk).actor_name != "mallory"


def test_record_links_each_entry_to_the_previous_one(world: World) -> None:
    first = record(AuditAction.UPDATE, object_type="test.thing", after={"n": 1})
    second = record(AuditAction.UPDATE, object_type="test.thing", after={"n": 2})
    assert second.seq == first.seq + 1
    assert second.prev_hash == first.hash
    head = AuditChainHead.objects.get(pk=1)
    assert (head.last_seq, head.last_hash) == (second.seq, second.hash)


def test_values_survive_the_database_round_trip(world: World) -> None:
    """Hashes are computed before the row is stored: every value must read back the same
    (floats, nested JSON, unicode, decimals, dates) or the chain breaks on PostgreSQL."""
    record(
        AuditAction.UPDATE,
        object_type="test.thing",
        object_repr="Grüße ✓ " + "x" * 300,
        before={"f": 0.1, "n": [1, 2, {"z": None, "a": True}], "big": 2**53 + 1},
        after={"d": Decimal("12.50"), "day": date(2026, 3, 1), "s": "ünïcödé \u2028"},
    )
    assert verify_chain() is None
