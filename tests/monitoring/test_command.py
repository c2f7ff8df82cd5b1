"""`steward collector-token` (module collector_token)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from steward.monitoring.models import Collector
from tests.conftest import World
from tests.monitoring.helpers import batch, post


def run(*args: str) -> str:
    out = StringIO()
    call_command("collector_token", *args, stdout=out)
    return out.getvalue().strip()


def test_create_prints_a_working_token_once(world: World) -> None:
    token = run("create", "--client", "acme", "--kind", "agent", "--name", "laptop 7")
    assert token.startswith("sta_")
    collector = Collector.objects.get()
    assert (collector.client, collector.kind, collector.name) == (world.acme, "agent", "laptop 7")
    assert post(token, batch()).status_code == 200
    listing = run("list", "--client", str(world.acme.pk))
    assert "laptop 7" in listing
    assert token not in listing
    assert run("revoke", str(collector.pk)) == f"collector {collector.pk} revoked"
    assert post(token, batch()).status_code == 401


def test_unknown_clients_and_ids_are_named(world: World) -> None:
    with pytest.raises(CommandError, match="--client 'initech'"):
        run("create", "--client", "initech", "--name", "x")
    with pytest.raises(CommandError, match="collector 999"):
        run("revoke", "999")
