"""The service desk's measures, evaluated for March 2026 over the tickets of ``test_stats``."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from steward.obligations.choices import Comparator, Status
from steward.obligations.evaluation import evaluate
from steward.obligations.models import Obligation
from steward.obligations.periods import Period
from steward.obligations.registry import MeasureResult, registry
from steward.obligations.services import create_obligation
from steward.servicedesk import measures
from steward.servicedesk.measures import sla as sla_measures
from steward.tenancy.models import Client
from tests.servicedesk.conftest import Desk
from tests.servicedesk.test_stats import March, march

MARCH = Period.month(2026, 3)
APRIL_2 = datetime(2026, 4, 2, 6, tzinfo=UTC)  # March is closed in Berlin and New York


@pytest.fixture
def month(desk: Desk) -> March:
    return march(desk)


def run(key: str, client: Client, period: Period = MARCH, **params: Any) -> MeasureResult:
    item = registry.get(key)
    with time_machine.travel(APRIL_2, tick=False):
        return item(client, period, item.resolve_params(params))


def refs(result: MeasureResult) -> list[str]:
    return [e.ref for e in result.evidence]


def ticket_ref(ticket: Any) -> str:
    return f"servicedesk.ticket:{ticket.pk}"


def test_real_measures_replace_the_fallbacks() -> None:
    for key in ("servicedesk.response_attainment", "servicedesk.csat_average"):
        item = registry.get(key)
        assert not item.fallback
        assert item.fn.__module__.startswith("steward.servicedesk.measures.")
    keys = {m.key for m in registry.all() if m.key.startswith("servicedesk.")}
    assert keys == {
        "servicedesk.response_attainment",
        "servicedesk.resolution_attainment",
        "servicedesk.mtta",
        "servicedesk.mttr",
        "servicedesk.backlog_age",
        "servicedesk.reopen_rate",
        "servicedesk.csat_average",
        "servicedesk.csat_response_rate",
        "servicedesk.first_contact_resolution",
    }


def test_response_attainment_with_evidence(desk: Desk, month: March) -> None:
    result = run("servicedesk.response_attainment", desk.world.acme)
    assert result.value == 50
    # The miss first; the merged duplicate is not evidence.
    assert refs(result) == [ticket_ref(month.vpn_down), ticket_ref(month.server_down)]
    missed = result.evidence[0]
    assert missed.label == (
        f"#{month.vpn_down.pk} VPN down (P1): response missed after 2 h 00 min business time, "
        "target 1 h 00 min"
    )
    assert missed.url == measures.ticket_url(month.vpn_down.pk)
    assert str(month.vpn_down.pk) in missed.url
    assert result.inputs["met"] == 1
    assert result.inputs["decided"] == 2
    [policy] = result.inputs["sla_policies"]
    assert policy["id"] == desk.acme_policy.pk
    assert policy["version"] == desk.acme_policy.version
    assert policy["targets"]["P1"] == {"response_seconds": 3600, "resolution_seconds": 14400}


def test_attainment_of_all_priorities_and_of_resolution(desk: Desk, month: March) -> None:
    everything = run("servicedesk.response_attainment", desk.world.acme, priority="")
    assert everything.value == 75  # 3 of 4: server, mouse, printer met; vpn missed
    resolution = run("servicedesk.resolution_attainment", desk.world.acme, priority="P4")
    assert resolution.value == 100
    assert refs(resolution) == [ticket_ref(month.printer)]
    p1 = run("servicedesk.resolution_attainment", desk.world.acme)
    assert (p1.value, refs(p1)[0]) == (50, ticket_ref(month.vpn_down))


def test_no_data_without_tickets(desk: Desk, month: March) -> None:
    globex = desk.world.globex
    result = run("servicedesk.response_attainment", globex)
    assert result.value is None
    assert result.note == "No P1 tickets opened in March 2026."
    # Globex's P4 ticket is answered but not resolved: its resolution is not decided yet.
    pending = run("servicedesk.resolution_attainment", globex, priority="P4")
    assert pending.value is None
    assert "none with a decided resolution yet" in pending.note
    february = Period.month(2026, 2)
    for key in [m.key for m in registry.all() if m.key.startswith("servicedesk.")]:
        assert run(key, desk.world.acme, february).value is None, key


def test_bad_priority_is_no_data_saying_why(desk: Desk) -> None:
    result = run("servicedesk.mtta", desk.world.acme, priority="P9")
    assert result.value is None
    assert "Unknown priority 'P9'" in result.note


def test_mean_times_in_business_hours(desk: Desk, month: March) -> None:
    acme = desk.world.acme
    mtta = run("servicedesk.mtta", acme)
    # (1800 + 7200 + 3600 + 1800) / 4 = 3600 s
    assert mtta.value == 1
    assert mtta.inputs["tickets"] == 4
    assert mtta.inputs["business_seconds_total"] == 14400
    assert refs(mtta)[0] == ticket_ref(month.vpn_down)  # the slowest first
    mttr = run("servicedesk.mttr", acme, priority="P1")
    assert mttr.value == Decimal("3.5")  # (7200 + 18000) / 2 s
    assert refs(mttr) == [ticket_ref(month.vpn_down), ticket_ref(month.server_down)]
    assert "resolution missed after 5 h 00 min" in mttr.evidence[0].label


def test_backlog_age(desk: Desk, month: March) -> None:
    result = run("servicedesk.backlog_age", desk.world.acme, days=7)
    assert result.value == 1
    assert refs(result) == [ticket_ref(month.mouse)]
    assert result.inputs["open"] == 1
    assert result.inputs["by_age"]["7d_30d"] == 1
    assert run("servicedesk.backlog_age", desk.world.acme).value == 0  # none over 30 days


def test_backlog_of_the_running_period_is_taken_now(desk: Desk, month: March) -> None:
    item = registry.get("servicedesk.backlog_age")
    moment = datetime(2026, 3, 2, 13, 30, tzinfo=UTC)
    with time_machine.travel(moment, tick=False):
        result = item(desk.world.acme, MARCH, {"days": 0})
    assert result.inputs["at"] == moment.isoformat()
    assert result.value == 3  # vpn, mouse, printer (see test_stats)


def test_reopen_and_first_contact(desk: Desk, month: March) -> None:
    reopened = run("servicedesk.reopen_rate", desk.world.acme)
    assert reopened.value == Decimal("33.3333")
    assert refs(reopened) == [ticket_ref(month.printer)]
    fcr = run("servicedesk.first_contact_resolution", desk.world.acme)
    assert fcr.value == Decimal("33.3333")
    labels = [e.label for e in fcr.evidence]
    assert labels[0].endswith("not at first contact: 2 staff replies")
    assert labels[1].endswith("not at first contact: 1 staff reply, reopened 1x")
    assert labels[2].endswith("resolved at first contact (1 staff reply)")
    assert run("servicedesk.reopen_rate", desk.world.globex).value is None


def test_csat(desk: Desk, month: March) -> None:
    average = run("servicedesk.csat_average", desk.world.acme)
    assert average.value == Decimal("3.5")
    assert [e.label for e in average.evidence] == [
        f"#{month.vpn_down.pk} VPN down: rated 2/5: \u201cFar too slow\u201d",
        f"#{month.server_down.pk} Server down: rated 5/5",
    ]
    assert average.evidence[0].ref.startswith("servicedesk.survey:")
    rate = run("servicedesk.csat_response_rate", desk.world.acme)
    assert rate.value == Decimal("66.6667")
    assert rate.evidence[0].label == f"#{month.printer.pk} Printer jam: not answered"
    assert len(rate.evidence) == 3
    none = run("servicedesk.csat_average", desk.world.globex)
    assert none.value is None
    assert none.note == "No survey was answered in March 2026."


def test_the_engine_judges_the_default_obligations(desk: Desk, month: March) -> None:
    """The default set's P1 response and CSAT obligations, evaluated after March closed."""
    acme = desk.world.acme
    response = Obligation.objects.get(client=acme, measure_key="servicedesk.response_attainment")
    with time_machine.travel(APRIL_2, tick=False):
        row = evaluate(response, MARCH, APRIL_2)
    assert (row.value, row.status, row.final) == (Decimal(50), Status.BREACHED, True)
    assert [e["ref"] for e in row.evidence] == [
        ticket_ref(month.vpn_down),
        ticket_ref(month.server_down),
    ]
    assert row.inputs["sla_policies"][0]["id"] == desk.acme_policy.pk
    csat = Obligation.objects.get(client=acme, measure_key="servicedesk.csat_average")
    with time_machine.travel(APRIL_2, tick=False):
        row = evaluate(csat, MARCH, APRIL_2)
    assert (row.value, row.status) == (Decimal("3.5"), Status.BREACHED)
    globex = Obligation.objects.get(
        client=desk.world.globex, measure_key="servicedesk.csat_average"
    )
    with time_machine.travel(APRIL_2, tick=False):
        row = evaluate(globex, MARCH, APRIL_2)
    assert row.status == Status.NO_DATA


def test_an_mttr_obligation(desk: Desk, month: March) -> None:
    obligation = create_obligation(
        client=desk.world.acme,
        name="P1 resolved within 4 business hours on average",
        category="service_delivery",
        measure_key="servicedesk.mttr",
        params={"priority": "P1"},
        comparator=Comparator.LTE,
        target=Decimal(4),
    )
    with time_machine.travel(APRIL_2, tick=False):
        row = evaluate(obligation, MARCH, APRIL_2)
    assert (row.value, row.status, row.unit) == (Decimal("3.5"), Status.MET, "h")


def test_vendor_programs_are_refused(desk: Desk) -> None:
    result = measures.csat_average(object(), MARCH, {})
    assert result.value is None
    assert result.note == "This measure applies to clients only."


def test_evidence_is_capped_and_the_note_counts_the_rest(
    desk: Desk, month: March, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sla_measures, "EVIDENCE_LIMIT", 1)
    result = run("servicedesk.response_attainment", desk.world.acme, priority="")
    assert refs(result) == [ticket_ref(month.vpn_down)]  # the miss is the one kept
    assert result.note == "3 more not listed."
