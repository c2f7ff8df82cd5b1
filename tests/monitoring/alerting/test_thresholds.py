"""Threshold rules through the real job: ``for`` opens exactly one ticket at the right instant,
recovery resolves it (untouched) or notes it (worked), and a second run changes nothing."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from steward.monitoring.models import Alert, AlertEvent
from steward.servicedesk.choices import Status
from steward.servicedesk.services.tickets import change_status
from tests.monitoring.alerting.conftest import (
    Site,
    add_series,
    alert_of,
    at,
    put,
    run_job,
    tickets,
)

# metric, labels, value per minute (from minute 1 on), the minute the ticket opens (None: never),
# its priority
CASES: Sequence[tuple[str, dict[str, str], list[float], float | None, str]] = [
    ("cpu_usage_percent", {}, [95] * 15, 11, "P2"),
    ("cpu_usage_percent", {}, [95.0] * 4 + [85.0] + [95.0] * 11, 16, "P2"),  # band cancels pending
    ("cpu_usage_percent", {}, [89] * 15, None, ""),
    ("memory_used_percent", {}, [92] * 15, 11, "P2"),
    ("disk_used_percent", {"mount": "/"}, [93] * 15, 6, "P2"),
    ("disk_used_percent", {"mount": "/proc"}, [99] * 15, None, ""),  # pseudo filesystem
    ("tls_cert_days_left", {"host": "portal"}, [20.0, 20.0, 10.0] + [10.0] * 12, 3, "P4"),
]


@pytest.mark.parametrize(("metric", "labels", "values", "opens", "priority"), CASES)
def test_threshold_opens_one_ticket_at_its_instant(
    site: Site,
    metric: str,
    labels: dict[str, str],
    values: list[float],
    opens: float | None,
    priority: str,
) -> None:
    series = add_series(site.server, metric, **labels)
    for minute, value in enumerate(values, start=1):
        put(series, at(minute), value)
        run_job(at(minute + 0.5))
        found = tickets(site.world.acme)
        if opens is None or minute < opens:
            assert found == [], f"no ticket yet at minute {minute}"
        else:
            assert len(found) == 1, f"exactly one ticket at minute {minute}"
            assert found[0].created_at == at(opens)
            assert found[0].priority == priority
            assert found[0].links.filter(reference=f"alert:{Alert.objects.get().pk}").exists()
            assert found[0].links.filter(reference=f"asset:{site.server.pk}").exists()


def _firing_cpu(site: Site) -> None:
    series = add_series(site.server, "cpu_usage_percent")
    for minute in range(1, 13):
        put(series, at(minute), 97)
        run_job(at(minute))
    assert len(tickets(site.world.acme)) == 1
    put(series, at(13), 70)


def test_recovery_resolves_an_untouched_ticket(site: Site) -> None:
    _firing_cpu(site)
    run_job(at(13.5))
    (ticket,) = tickets(site.world.acme)
    assert ticket.status == Status.RESOLVED
    assert ticket.subject == "web-01: cpu_usage_percent = 97 > 90 for 600 s"
    alert = alert_of("cpu-high")
    assert (alert.phase, alert.resolved_at) == ("ok", at(13))
    kinds = list(alert.events.values_list("kind", "told"))
    assert kinds == [("pending", False), ("firing", True), ("resolved", True)]


def test_recovery_only_notes_a_worked_ticket(site: Site) -> None:
    _firing_cpu(site)
    (ticket,) = tickets(site.world.acme)
    change_status(ticket, Status.IN_PROGRESS, by=site.world.bob)
    run_job(at(13.5))
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS
    assert ticket.events.filter(body__startswith="Alert recovered").exists()


def test_two_runs_at_the_same_instant_act_once(site: Site) -> None:
    series = add_series(site.server, "cpu_usage_percent")
    for minute in range(1, 12):
        put(series, at(minute), 97)
    first = run_job(at(11))
    again = run_job(at(11))
    assert first["told"] == 1
    assert again == {"clients": 0, "evaluated": 0, "transitions": 0, "told": 0}
    assert len(tickets(site.world.acme)) == 1
    assert AlertEvent.objects.filter(kind="firing").count() == 1


def test_a_new_rule_does_not_open_tickets_for_old_data(world: object) -> None:
    from steward.monitoring import services

    server = services.create_asset(world.acme, name="db-01", kind="server")  # type: ignore[attr-defined]
    series = add_series(server, "cpu_usage_percent")
    for minute in range(-60, 1):
        put(series, at(minute), 99)
    run_job(at(0.5))  # the first cycle: rules start now
    run_job(at(1.5))
    assert tickets(world.acme) == []  # type: ignore[attr-defined]
    put(series, at(2), 99)
    run_job(at(2.5))
    assert Alert.objects.get().phase == "pending"


def test_an_override_changes_the_job_and_disabling_retires_the_alert(site: Site) -> None:
    from steward.monitoring.services.alert_rules import create_rule

    create_rule(site.world.acme, None, rule_id="cpu-high", threshold=95.0, for_seconds=60)
    series = add_series(site.server, "cpu_usage_percent")
    for minute, value in enumerate([93.0, 93.0, 96.0, 96.0, 96.0], start=1):
        put(series, at(minute), value)
        run_job(at(minute + 0.5))
    (ticket,) = tickets(site.world.acme)
    assert ticket.created_at == at(4)  # 96 from minute 3, for 60 s
    create_rule(None, site.server, rule_id="cpu-high", enabled=False)
    run_job(at(6))
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED
    assert alert_of("cpu-high").events.last().reason == "rule disabled or removed"  # type: ignore[union-attr]


def test_a_stored_override_the_engine_refuses_falls_back_to_the_defaults(site: Site) -> None:
    from steward.monitoring.models import AlertRule

    AlertRule.objects.create(client=site.world.acme, rule_id="cpu-hihg", threshold=1.0)
    series = add_series(site.server, "cpu_usage_percent")
    for minute in range(1, 13):
        put(series, at(minute), 97)
        run_job(at(minute + 0.5))
    assert alert_of("cpu-high").phase == "firing"
    assert len(tickets(site.world.acme)) == 1
