"""The agreements demo seeder: every client gets an MSA, SOWs, a policy with P1 on 24x7,
licenses with some flags; re-running adds nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from importlib import import_module

from steward.agreements.demo import seed_agreements
from steward.agreements.models import (
    Agreement,
    BusinessCalendar,
    License,
    SlaPolicy,
    StatementOfWork,
)
from steward.core.demo import DemoContext, registered_seeders
from tests.conftest import World


def _run(world: World) -> None:
    ctx = DemoContext(seed=7, now=datetime(2026, 11, 15, tzinfo=UTC), months=3)
    ctx.clients.extend([world.acme, world.globex])
    seed_agreements(ctx.for_seeder("agreements"))


def test_each_client_gets_a_full_agreement(world: World) -> None:
    _run(world)
    for client in (world.acme, world.globex):
        agreement = Agreement.objects.get(client=client)
        assert 1 <= StatementOfWork.objects.filter(agreement=agreement).count() <= 3
        policy = SlaPolicy.objects.get(agreement=agreement)
        p1 = policy.targets.get(priority="P1")
        assert p1.calendar is not None
        assert p1.calendar.calendar_spec().is_24x7
        assert License.objects.filter(client=client).count() >= 2
    acme_calendar = BusinessCalendar.objects.get(client=world.acme)
    assert acme_calendar.spec["holidays"] == {"country": "DE", "subdivision": "BE"}
    globex_calendar = BusinessCalendar.objects.get(client=world.globex)
    assert (globex_calendar.timezone, globex_calendar.spec["holidays"]["subdivision"]) == (
        "America/New_York",
        "NY",
    )
    assert Agreement.objects.get(client=world.globex).currency == "USD"


def test_running_twice_adds_nothing(world: World) -> None:
    _run(world)
    counts = (Agreement.objects.count(), License.objects.count(), BusinessCalendar.objects.count())
    _run(world)
    assert (
        Agreement.objects.count(),
        License.objects.count(),
        BusinessCalendar.objects.count(),
    ) == counts


def test_the_seeder_runs_after_tenancy_and_before_obligations() -> None:
    # The command autodiscovers every app's demo module; here the two neighbours are imported.
    import_module("steward.tenancy.demo")
    import_module("steward.obligations.demo")
    orders = {s.name: s.order for s in registered_seeders()}
    assert orders["tenancy"] < orders["agreements"] < orders["obligations"]
