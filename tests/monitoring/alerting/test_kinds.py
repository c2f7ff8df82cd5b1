"""Maintenance, flapping, forecasts, silent agents and critical checks through the real job."""

from __future__ import annotations

from datetime import timedelta

import pytest

from steward.monitoring import services
from steward.monitoring.models import AlertEvent, CheckResult, IngestBatch
from steward.monitoring.services.retention import recompute_rollups
from steward.monitoring.services.windows import create_window
from steward.servicedesk.choices import Status
from tests.monitoring.alerting.conftest import (
    T0,
    Site,
    add_series,
    alert_of,
    at,
    put,
    run_job,
    tickets,
)


def test_maintenance_suppresses_and_the_ticket_comes_after_the_window(site: Site) -> None:
    create_window(site.world.acme, [site.server], title="Patching", starts_at=at(0), ends_at=at(30))
    series = add_series(site.server, "cpu_usage_percent")
    for minute in range(1, 35):
        put(series, at(minute), 97)
        run_job(at(minute))
        if minute < 30:
            assert tickets(site.world.acme) == [], f"no ticket inside the window ({minute})"
    (ticket,) = tickets(site.world.acme)
    assert ticket.created_at == at(30)  # told at the end of the window
    firing = AlertEvent.objects.filter(kind="firing").values_list("at", "suppressed", "told")
    assert list(firing) == [(at(11), "maintenance", False), (at(30), "", True)]


def test_an_alert_over_inside_the_window_leaves_no_ticket(site: Site) -> None:
    create_window(site.world.acme, [], title="Patching", starts_at=at(0), ends_at=at(30))
    series = add_series(site.server, "cpu_usage_percent")
    for minute in range(1, 40):
        put(series, at(minute), 97 if minute < 15 else 50)
        run_job(at(minute))
    assert tickets(site.world.acme) == []
    assert alert_of("cpu-high").phase == "ok"


def test_flapping_stops_tickets(site: Site) -> None:
    series = add_series(site.server, "tls_cert_days_left", host="portal")
    for minute in range(1, 21):
        put(series, at(minute), 10 if minute % 2 else 20)  # fires, resolves, fires …
        run_job(at(minute + 0.5))
    events = AlertEvent.objects.order_by("at", "pk")
    assert events.filter(kind="flapping").count() == 1
    told = events.filter(told=True).count()
    assert told <= 6
    assert len(tickets(site.world.acme)) == 3  # one per firing told: F R F R F (then flapping)
    assert events.filter(kind="firing").count() == 10


@pytest.mark.parametrize("rolled_up", [False, True], ids=["raw", "rollups"])
def test_disk_forecast_opens_full_in_about_n_days(site: Site, rolled_up: bool) -> None:
    series = add_series(site.server, "disk_used_percent", mount="/data")
    for minutes in range(24 * 60, -1, -5):  # the last 24 h, growing 3 % a day to 86 % now
        moment = T0 - timedelta(minutes=minutes)
        put(series, moment, 86 - 3 * minutes / (24 * 60))
    if rolled_up:  # the fit then reads the hourly means of complete hours and the rest raw
        assert recompute_rollups(at(1), hours=30) == 25
    run_job(at(1))
    (ticket,) = tickets(site.world.acme)
    assert ticket.subject == "Disk /data on web-01: full in about 5 days"
    assert ticket.priority == "P3"
    alert = alert_of("disk-forecast")
    assert alert.forecast_crossing_at is not None
    assert abs((alert.forecast_crossing_at - at(1)).total_seconds() / 86_400 - 14 / 3) < 0.1
    assert alert.forecast is not None
    # Raw: every sample of the day; rolled up: the 23 complete hours inside the window, then
    # the samples from the last one's end (one, at 12:00).
    assert alert.forecast["points"] == (23 + 1 if rolled_up else 288)


def test_a_silent_agent_fires_after_ten_minutes_and_resolves_on_data(site: Site) -> None:
    agent, _token = services.create_collector(site.world.acme, kind="agent", name="web-01 agent")
    agent.asset = site.server
    agent.save()

    def report(minute: float) -> None:
        IngestBatch.objects.create(collector=agent, batch_id=f"b{minute}", received_at=at(minute))
        agent.last_seen_at = at(minute)
        agent.save(update_fields=["last_seen_at"])

    for minute in range(1, 6):
        report(minute)
        run_job(at(minute + 0.5))
    for minute in range(6, 20):
        run_job(at(minute + 0.5))
    (ticket,) = tickets(site.world.acme)
    assert ticket.created_at == at(15)
    assert ticket.subject == "Agent on web-01: no data from agent_heartbeat for 600 s"
    report(21)
    run_job(at(21.5))
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED
    assert alert_of("agent-silent").resolved_at == at(21)


def test_a_check_critical_for_two_minutes(site: Site) -> None:
    collector, _token = services.create_collector(site.world.acme, kind="collector", name="probe")
    check = services.create_check(
        site.world.acme,
        collector=collector,
        asset=site.server,
        type="tcp",
        name="ssh",
        params={"host": "web-01", "port": 22},
    )
    states = ["ok", "critical", "critical", "warning", "critical", "critical", "critical", "ok"]
    for minute, state in enumerate(states, start=1):
        CheckResult.objects.create(of_check=check, at=at(minute), state=state)
        run_job(at(minute + 0.5))
    (ticket,) = tickets(site.world.acme)
    assert ticket.created_at == at(7)  # critical at 2 and 3, warning cancels, critical from 5
    assert ticket.status == Status.RESOLVED


def test_an_open_forecast_keeps_its_crossing_fresh(site: Site) -> None:
    series = add_series(site.server, "disk_used_percent", mount="/data")
    for half_hours in range(48, -1, -1):
        put(series, T0 - timedelta(minutes=30 * half_hours), 86 - 3 * half_hours / 48)
    run_job(at(1))
    first = alert_of("disk-forecast").forecast_crossing_at
    put(series, at(30), 87)  # faster than the trend: the crossing moves closer
    run_job(at(31))
    later = alert_of("disk-forecast").forecast_crossing_at
    assert first is not None
    assert later is not None
    assert later < first
    assert len(tickets(site.world.acme)) == 1


def test_a_silence_seen_only_afterwards_keeps_its_true_instants(site: Site) -> None:
    agent, _token = services.create_collector(site.world.acme, kind="agent", name="web-01 agent")
    agent.asset = site.server
    agent.save()
    for minute in (1, 2, 3, 20):
        IngestBatch.objects.create(collector=agent, batch_id=f"b{minute}", received_at=at(minute))
    run_job(at(2.5))  # sees the batches at 1 and 2; then the job is down until minute 25
    agent.last_seen_at = at(20)
    agent.save(update_fields=["last_seen_at"])
    run_job(at(25))
    events = AlertEvent.objects.values_list("kind", "at")
    assert list(events) == [("firing", at(13)), ("resolved", at(20))]
    (ticket,) = tickets(site.world.acme)
    assert ticket.status == Status.RESOLVED
