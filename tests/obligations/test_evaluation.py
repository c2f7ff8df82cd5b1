from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from steward.core.audit import verify_chain
from steward.core.models import AuditEntry
from steward.obligations import services
from steward.obligations.choices import Category, Status
from steward.obligations.evaluation import evaluate, evaluate_all
from steward.obligations.models import Evaluation, Obligation
from steward.obligations.periods import Period
from steward.tenancy import services as tenancy_services
from steward.tenancy.models import Contact

pytestmark = pytest.mark.django_db
OCTOBER = Period.parse("2026-10")
AFTER_OCTOBER = datetime(2026, 11, 3, 12, tzinfo=UTC)
MID_OCTOBER = datetime(2026, 10, 15, 12, tzinfo=UTC)


def _obligation(client, **extra) -> Obligation:
    fields = {
        "client": client,
        "name": "Controlled promise",
        "category": Category.SERVICE_DELIVERY,
        "measure_key": "test.controlled",
        "comparator": ">=",
        "target": Decimal(95),
        "at_risk_margin": Decimal(2),
        **extra,
    }
    return services.create_obligation(**fields)


def test_closed_period_is_stored_with_its_inputs_and_never_rewritten(world, controlled):
    obligation = _obligation(world.acme)
    controlled["value"] = 96
    first = evaluate(obligation, OCTOBER, AFTER_OCTOBER)
    assert (first.status, first.value, first.final) == (Status.AT_RISK, Decimal(96), True)
    assert first.inputs == {"params": {"level": 1}, "policy_version": 1}
    assert first.evidence == [{"label": "rows of 2026-10", "url": "/things/2026-10", "ref": ""}]

    # The policy and the target change afterwards; October's result stays what it was.
    controlled.update(value=80, policy_version=2)
    services.update_obligation(obligation, {"target": Decimal(50), "params": {"level": 3}})
    again = evaluate(obligation, OCTOBER, datetime(2026, 12, 1, tzinfo=UTC))
    evaluate_all(OCTOBER, datetime(2026, 12, 1, tzinfo=UTC))
    stored = Evaluation.objects.get(obligation=obligation, period="2026-10")
    for row in (again, stored):
        assert (row.value, row.target, row.status) == (Decimal(96), Decimal(95), Status.AT_RISK)
        assert row.inputs == {"params": {"level": 1}, "policy_version": 1}


def test_recompute_closed_is_explicit_and_audited(world, controlled):
    obligation = _obligation(world.acme)
    controlled["value"] = 96
    evaluate(obligation, OCTOBER, AFTER_OCTOBER)
    controlled["value"] = 80
    run = evaluate_all(OCTOBER, AFTER_OCTOBER, recompute_closed=True)
    assert (run.updated, run.kept) == (1, 0)
    row = Evaluation.objects.get(obligation=obligation)
    assert (row.value, row.status) == (Decimal(80), Status.BREACHED)
    assert AuditEntry.objects.filter(object_type="obligations.evaluation").exists()
    assert verify_chain() is None


def test_open_period_is_provisional_updated_each_run_and_final_after_close(world, controlled):
    obligation = _obligation(world.acme)
    controlled["value"] = 90
    row = evaluate(obligation, OCTOBER, MID_OCTOBER)
    # Failing mid-month is a risk, not yet a breach.
    assert (row.status, row.final) == (Status.AT_RISK, False)
    controlled["value"] = 99
    row = evaluate(obligation, OCTOBER, datetime(2026, 10, 20, tzinfo=UTC))
    assert (row.value, row.status, row.final) == (Decimal(99), Status.MET, False)
    controlled["value"] = 90
    row = evaluate(obligation, OCTOBER, AFTER_OCTOBER)
    assert (row.status, row.final) == (Status.BREACHED, True)
    assert Evaluation.objects.filter(obligation=obligation).count() == 1


def test_period_closes_at_midnight_in_the_clients_zone(world, controlled):
    controlled["value"] = 99
    acme = _obligation(world.acme)  # Europe/Berlin
    globex = _obligation(world.globex)  # America/New_York
    instant = datetime(2026, 11, 1, 0, 30, tzinfo=UTC)  # 01:30 in Berlin, 20:30 in New York
    assert evaluate(acme, OCTOBER, instant).final
    assert not evaluate(globex, OCTOBER, instant).final


def test_a_failing_measure_is_no_data_with_the_reason_and_reported(world, controlled):
    obligation = _obligation(world.acme)
    controlled["fail"] = True
    run = evaluate_all(OCTOBER, AFTER_OCTOBER)
    row = Evaluation.objects.get(obligation=obligation)
    assert row.status == Status.NO_DATA
    assert "source unreachable" in row.note
    assert len(run.errors) == 1


def test_default_set_covers_all_areas_and_answers_no_data_until_sources_exist(world):
    created = services.create_default_obligations(world.acme)
    assert {o.category for o in created} == set(Category.values)
    assert services.create_default_obligations(world.acme) == []  # idempotent
    evaluate_all(OCTOBER, AFTER_OCTOBER, clients=[world.acme])
    rows = {e.measure_key: e for e in Evaluation.objects.filter(client=world.acme)}
    desk = rows["servicedesk.response_attainment"]  # installed, but no tickets in October
    assert (desk.status, desk.value) == (Status.NO_DATA, None)
    assert desk.note == "No P1 tickets opened in October 2026."
    monitoring = rows["monitoring.coverage"]  # installed, but no assets yet
    assert (monitoring.status, monitoring.value) == (Status.NO_DATA, None)
    assert monitoring.note == "The client had no managed assets by then."
    security = rows["security.patch_compliance"]  # not installed yet: the fallback says so
    assert security.status == Status.NO_DATA
    assert "not installed" in security.note
    assert rows["alignment.qbr_held"].period == "2026-Q4"


def test_primary_contact_measure_uses_real_data(world):
    services.create_default_obligations(world.acme)
    obligation = Obligation.objects.get(
        client=world.acme, measure_key="tenancy.primary_contact_defined"
    )
    row = evaluate(obligation, OCTOBER, AFTER_OCTOBER)
    assert (row.value, row.status) == (Decimal(0), Status.BREACHED)
    tenancy_services.update_contact(world.acme_contact, {"is_primary": True})
    Contact.objects.filter(pk=world.acme_contact.pk).update(
        created_at=datetime(2026, 11, 20, tzinfo=UTC)
    )
    row = evaluate(obligation, Period.parse("2026-11"), datetime(2026, 12, 2, tzinfo=UTC))
    assert (row.value, row.status) == (Decimal(1), Status.MET)
    # Named on 20 November: October (already final) keeps "no", and a fresh October says no too.
    october = evaluate(obligation, OCTOBER, AFTER_OCTOBER, recompute_closed=True)
    assert october.value == Decimal(0)
    assert row.evidence[0]["ref"] == f"tenancy.contact:{world.acme_contact.pk}"
    assert row.evidence[0]["url"] == f"/clients/{world.acme.pk}/"


def test_evaluate_all_query_count_does_not_grow_per_obligation(
    world, controlled, django_assert_max_num_queries
):
    controlled["value"] = 99
    for n in range(20):
        _obligation(world.acme if n % 2 else world.globex, name=f"promise {n}")
    # Loading (2) + one transaction with bulk insert (a few statements); measures here do no I/O.
    with django_assert_max_num_queries(8):
        run = evaluate_all(OCTOBER, AFTER_OCTOBER)
    assert run.created == 20
    with django_assert_max_num_queries(4):
        run = evaluate_all(OCTOBER, AFTER_OCTOBER)
    assert run.kept == 20


def test_quarterly_input_evaluates_each_month_of_monthly_obligations(world, controlled):
    controlled["value"] = 99
    _obligation(world.acme)
    evaluate_all(Period.parse("2026-Q4"), datetime(2027, 1, 5, tzinfo=UTC))
    periods = sorted(Evaluation.objects.values_list("period", flat=True))
    assert periods == ["2026-10", "2026-11", "2026-12"]


def test_obligation_validation_names_fields(world, controlled):
    program = services.create_vendor_program(name="Gold", vendor="Contoso")
    with pytest.raises(ValidationError) as err:
        _obligation(world.acme, vendor_program=program)
    assert "client" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        _obligation(world.acme, measure_key="test.controled")
    assert "did you mean test.controlled" in err.value.message_dict["measure_key"][0]
    with pytest.raises(ValidationError) as err:
        _obligation(world.acme, params={"level": "high"})
    assert "params" in err.value.message_dict


def test_obligation_with_closed_history_cannot_be_deleted(world, controlled):
    obligation = _obligation(world.acme)
    controlled["value"] = 99
    evaluate(obligation, OCTOBER, AFTER_OCTOBER)
    with pytest.raises(services.ObligationHasHistory):
        services.delete_obligation(obligation)
    fresh = _obligation(world.acme, name="new")
    services.delete_obligation(fresh)
    assert not Obligation.objects.filter(pk=fresh.pk).exists()


def test_vendor_program_obligations_are_evaluated_on_utc_periods(world, controlled):
    program = services.create_vendor_program(name="Gold", vendor="Contoso", tier="gold")
    owed = services.create_obligation(
        vendor_program=program, name="Certified engineers", category=Category.RESOURCE_MANAGEMENT,
        measure_key="test.controlled", target=Decimal(2), comparator=">=",
    )  # fmt: skip
    contact = services.create_obligation(
        vendor_program=program, name="Contact", category=Category.COMMUNICATION_REPORTING,
        measure_key="tenancy.primary_contact_defined", target=Decimal(1),
    )  # fmt: skip
    controlled["value"] = 3
    # 23:30 UTC on 31 October: October is still open in UTC, whatever the clients' zones.
    run = evaluate_all(OCTOBER, datetime(2026, 10, 31, 23, 30, tzinfo=UTC))
    assert run.created == 2
    row = Evaluation.objects.get(obligation=owed)
    assert (row.status, row.final, row.client_id) == (Status.MET, False, None)
    refused = Evaluation.objects.get(obligation=contact)
    assert refused.status == Status.NO_DATA
    assert "clients only" in refused.note
