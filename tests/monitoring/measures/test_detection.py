"""Alert incidents resolved before a client ticket, and the mean time to detect, with exact
boundary instants (the client's ticket at the resolution instant, at the problem's start)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from steward.monitoring.measures.incidents import reference_id
from steward.monitoring.models import Check, CheckResult
from steward.servicedesk.choices import LinkKind
from steward.servicedesk.services.relations import link
from tests.conftest import World
from tests.monitoring.measures.conftest import NOV_END, NOV_START, run, tcp_check
from tests.monitoring.measures.incidents import alert, asset, client_ticket, fire, resolve

FIRST = "monitoring.alerts_resolved_before_client_ticket"
MTTD = "monitoring.mean_time_to_detect"
T = NOV_START + timedelta(days=3)
MIN = timedelta(minutes=1)


def test_incidents_resolved_first_against_those_the_client_reported(world: World) -> None:
    acme = world.acme
    web, db, mail, files = (asset(acme, n) for n in ("web-01", "db-01", "mail-01", "fs-01"))
    # Resolved with no client ticket at all.
    quiet = fire(alert(acme, web), T)
    resolve(quiet, T + 30 * MIN)
    # The client wrote about the same asset while it was open: client first.
    reported = fire(alert(acme, db), T)
    client_ticket(acme, T + 10 * MIN, about=db)
    resolve(reported, T + 30 * MIN)
    # A client ticket at the resolution instant comes after it.
    tight = fire(alert(acme, mail), T)
    client_ticket(acme, T + 30 * MIN, about=mail)
    resolve(tight, T + 30 * MIN)
    # Still open, not reported: undecided, left out.
    fire(alert(acme, files), T)
    result = run(FIRST, acme)
    assert result.value == Decimal("66.6667")
    assert result.inputs["undecided"] == 1
    assert result.note == "1 still open, not reported by the client yet."
    assert result.evidence[0].ref == f"servicedesk.ticket:{reported.pk}"
    assert "client raised" in result.evidence[0].label


def test_a_client_ticket_counts_from_the_problem_s_start(world: World) -> None:
    acme = world.acme
    web = asset(acme)
    rule = alert(acme, web)
    ticket = fire(rule, T, pending_at=T - 10 * MIN)
    client_ticket(acme, T - 10 * MIN, about=web)  # exactly when the problem began
    client_ticket(acme, T - 10 * MIN - timedelta(seconds=1), about=web)  # before: unrelated
    resolve(ticket, T + 30 * MIN)
    result = run(FIRST, acme)
    assert result.value == Decimal(0)


def test_a_merged_or_linked_client_ticket_is_about_the_incident(world: World) -> None:
    acme = world.acme
    ticket = fire(alert(acme, None), T)  # no asset
    other = client_ticket(acme, T + MIN)
    link(other, LinkKind.RELATED, target=ticket, at=T + MIN)
    resolve(ticket, T + 30 * MIN)
    assert run(FIRST, acme).value == Decimal(0)


def test_only_incidents_opened_in_the_period_count(world: World) -> None:
    acme = world.acme
    for at in (NOV_START, NOV_END - timedelta(seconds=1), NOV_END, NOV_START - MIN):
        resolve(fire(alert(acme, asset(acme, f"srv-{at:%d%H%M%S}")), at), at + timedelta(seconds=1))
    assert run(FIRST, acme).inputs["incidents"] == 2
    assert run(FIRST, world.globex).note == "No incidents were opened from alerts in November 2026."


def test_mean_time_to_detect_from_pending_start_or_first_failing_result(world: World) -> None:
    acme = world.acme
    web = asset(acme)
    fire(alert(acme, web), T, pending_at=T - 10 * MIN)  # 10 min
    fire(alert(acme, web, rule_id="disk-full"), T)  # fired at once: 0 min
    check: Check = tcp_check(acme, asset=web)
    for minutes, state in ((-30, "ok"), (-20, "critical"), (-10, "critical"), (0, "critical")):
        CheckResult.objects.create(of_check=check, at=T + minutes * MIN, state=state)
    fire(alert(acme, web, rule_id="check-critical", from_check=check), T, pending_at=T - 2 * MIN)
    result = run(MTTD, acme)
    assert result.value == Decimal("10.00")  # (10 + 0 + 20) / 3
    assert "detected after 0 h 20 min" in result.evidence[0].label


def test_mean_time_to_detect_without_alert_history(world: World) -> None:
    acme = world.acme
    rule = alert(acme, asset(acme))
    fire(rule, T)
    rule.events.all().delete()
    result = run(MTTD, acme)
    assert result.value is None
    assert "No incidents with an alert history" in result.note


def test_reference_ids() -> None:
    assert reference_id("alert:42", "alert") == 42
    assert reference_id(" asset:7 ", "asset") == 7
    for bad in ("alert:42", "alert:", "alert:0", "alert:-1", "alert:4x", "alerts:4", ""):
        assert reference_id(bad, "asset") is None


@given(st.text())
def test_reference_ids_never_crash(text: str) -> None:
    found = reference_id(text, "alert")
    assert found is None or found > 0


@given(st.integers(min_value=1, max_value=10**17))
def test_reference_ids_round_trip(number: int) -> None:
    assert reference_id(f"alert:{number}", "alert") == number
