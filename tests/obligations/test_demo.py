from __future__ import annotations

from datetime import UTC, datetime

import pytest

from steward.core.demo import DemoContext, registered_seeders
from steward.obligations.choices import Status
from steward.obligations.demo import seed_obligations  # registers the seeder
from steward.obligations.models import Evaluation, Obligation
from steward.tenancy import services as tenancy
from steward.tenancy.models import Contact

pytestmark = pytest.mark.django_db


def test_demo_seeds_defaults_and_a_history_once(world):
    tenancy.update_contact(world.acme_contact, {"is_primary": True})
    # The contact has been on record since January (the measure looks at when it was created).
    Contact.objects.filter(pk=world.acme_contact.pk).update(
        created_at=datetime(2026, 1, 1, tzinfo=UTC)
    )
    now = datetime(2026, 11, 15, tzinfo=UTC)
    run = seed_obligations(now=now, months=3)
    per_client = Obligation.objects.filter(client=world.acme).count()
    # Three closed months and the current one; the quarterly QBR spans Q3 and Q4.
    assert run.created == 2 * (4 * (per_client - 1) + 2)
    periods = set(Evaluation.objects.values_list("period", flat=True))
    assert {"2026-08", "2026-11", "2026-Q3", "2026-Q4"} <= periods
    contact = Evaluation.objects.get(
        client=world.acme, measure_key="tenancy.primary_contact_defined", period="2026-10"
    )
    assert contact.status == Status.MET
    again = seed_obligations(now=now, months=3)
    assert again.created == 0
    assert Obligation.objects.filter(client=world.acme).count() == per_client


def test_demo_seeder_runs_late_and_evaluates_the_contexts_clients(world):
    seeder = next(s for s in registered_seeders() if s.name == "obligations")
    assert seeder.order > 100  # after tenancy (and the domain apps whose data it measures)
    ctx = DemoContext(seed=1, now=datetime(2026, 11, 15, tzinfo=UTC), months=2)
    ctx.clients.append(world.acme)
    seeder.fn(ctx.for_seeder(seeder.name))
    assert Evaluation.objects.filter(client=world.acme, period="2026-09").exists()
    assert not Obligation.objects.filter(client=world.globex).exists()
