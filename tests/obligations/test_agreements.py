"""The obligation engine and the agreements app: default set on a new MSA, license measure."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from steward.agreements import services as agreements
from steward.obligations import services
from steward.obligations.choices import Category, Status
from steward.obligations.evaluation import evaluate
from steward.obligations.models import Obligation
from steward.obligations.periods import Period

pytestmark = pytest.mark.django_db
OCTOBER = Period.parse("2026-10")


def _msa(client, reference="MSA-2026-01"):
    return agreements.create_agreement(client, reference=reference, start_date=date(2026, 1, 1))


def test_a_new_agreement_brings_the_default_set_citing_it(world):
    msa = _msa(world.acme)
    created = Obligation.objects.filter(client=world.acme)
    assert {o.category for o in created} == set(Category.values)
    assert {o.agreement_id for o in created} == {msa.pk}
    assert {o.source_reference for o in created} == {str(msa)}
    count = created.count()
    agreements.update_agreement(msa, {"notes": "renegotiated"})  # an edit adds nothing
    _msa(world.acme, "MSA-2027-01")  # nor does a second agreement duplicate promises
    assert Obligation.objects.filter(client=world.acme).count() == count
    assert not Obligation.objects.filter(client=world.globex).exists()


def test_an_obligation_cannot_cite_another_clients_agreement(world, controlled):
    globex_msa = _msa(world.globex)
    body = {
        "client_id": world.acme.pk,
        "agreement_id": globex_msa.pk,
        "name": "X",
        "category": "service_delivery",
        "measure_key": "test.controlled",
        "target": "95",
    }
    response = world.bearer(world.alice).post(
        "/api/v1/obligations", body, content_type="application/json"
    )
    assert response.status_code == 422
    assert "agreement" in str(response.json()["detail"])


def _license_obligation(client) -> Obligation:
    services.create_default_obligations(client)
    return Obligation.objects.get(
        client=client, measure_key="agreements.licenses_within_assignment"
    )


def _license(client, product, seats, assigned, start=date(2026, 1, 1), end=date(2026, 12, 31)):
    row = agreements.create_license(
        client, vendor="Contoso", product=product, seats=seats, start_date=start, end_date=end
    )
    return agreements.set_assigned_seats(row, assigned)


def test_license_measure_counts_over_assigned_licenses_running_in_the_period(world):
    obligation = _license_obligation(world.acme)
    after = datetime(2026, 11, 2, tzinfo=UTC)
    assert evaluate(obligation, OCTOBER, after).status == Status.NO_DATA
    _license(world.acme, "Mail", seats=25, assigned=25)
    over = _license(world.acme, "Office", seats=10, assigned=12)
    _license(world.acme, "Old", seats=1, assigned=5, end=date(2026, 9, 30))  # ended before
    _license(world.globex, "Other", seats=1, assigned=9)  # another client
    row = evaluate(obligation, OCTOBER, after, recompute_closed=True)
    assert (row.value, row.status) == (Decimal(50), Status.BREACHED)
    assert row.evidence == [
        {"label": "Contoso Office: 12 assigned of 10 seats", "url": "",
         "ref": f"agreements.license:{over.pk}"},
    ]  # fmt: skip
    assert row.inputs["over_assigned_ids"] == [over.pk]
    agreements.set_assigned_seats(over, 10)
    # October is final; November sees the fix.
    assert evaluate(obligation, OCTOBER, after).value == Decimal(50)
    november = evaluate(obligation, Period.parse("2026-11"), datetime(2026, 12, 2, tzinfo=UTC))
    assert (november.value, november.status) == (Decimal(100), Status.MET)
