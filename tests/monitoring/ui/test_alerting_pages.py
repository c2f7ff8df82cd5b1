"""The alert list and detail, the rule override editor and the maintenance calendar."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from steward.monitoring.choices import AlertEventKind, AlertPhase, AlertSource
from steward.monitoring.models import Alert, AlertEvent, AlertRule, MaintenanceWindow
from steward.monitoring.services import alert_rules
from steward.monitoring.services.windows import create_window
from tests.monitoring.ui.conftest import NOW, Monitored


def alert(
    monitored: Monitored, summary: str, phase: str = AlertPhase.FIRING, **fields: object
) -> Alert:
    return Alert.objects.create(
        client=fields.pop("client", monitored.world.acme),  # type: ignore[misc]
        source=AlertSource.RULE,
        rule_id=str(fields.pop("rule_id", "disk-full")),
        key=f"key-{summary}",
        phase=phase,
        summary=summary,
        firing_since=NOW - timedelta(hours=1) if phase == AlertPhase.FIRING else None,
        **fields,  # type: ignore[arg-type]
    )


def test_firing_alerts_count_on_the_portfolio_and_client_page(monitored: Monitored) -> None:
    alert(monitored, "disk / nearly full", asset=monitored.fs01, severity="major")
    alert(monitored, "old one", phase=AlertPhase.OK)
    alert(monitored, "globex web down", client=monitored.world.globex)
    w = monitored.world
    rows = {r.client.name: r for r in w.http(w.alice).get("/monitoring/").context["rows"]}
    assert rows["Acme Corporation"].firing == 1
    assert rows["Globex Inc"].firing == 1
    body = w.http(w.bob).get(f"/monitoring/clients/{w.acme.pk}/").content.decode()
    assert re.search(r'data-figure="firing">1<', body)
    assert "disk / nearly full" in body


def test_the_alert_list_filters(monitored: Monitored) -> None:
    alert(monitored, "disk / nearly full", severity="major")
    alert(monitored, "cpu busy", severity="warning", phase=AlertPhase.OK)
    alert(monitored, "globex web down", client=monitored.world.globex)
    w = monitored.world
    http = w.http(w.alice)
    every = http.get("/monitoring/alerts/").content.decode()
    assert all(s in every for s in ("disk / nearly full", "cpu busy", "globex web down"))
    firing = http.get(f"/monitoring/alerts/?client={w.acme.pk}&phase=firing").content.decode()
    assert "disk / nearly full" in firing
    assert "cpu busy" not in firing
    assert "globex web down" not in firing
    assert "cpu busy" in http.get("/monitoring/alerts/?severity=warning").content.decode()
    dave = w.http(w.dave).get("/monitoring/alerts/").content.decode()
    assert "globex web down" in dave
    assert "disk / nearly full" not in dave


def test_an_alert_shows_its_history_and_is_acknowledged(monitored: Monitored) -> None:
    found = alert(monitored, "disk / nearly full")
    AlertEvent.objects.create(
        alert=found, kind=AlertEventKind.PENDING, at=NOW - timedelta(hours=2), reason="92 % > 90 %"
    )
    AlertEvent.objects.create(
        alert=found,
        kind=AlertEventKind.FIRING,
        at=NOW - timedelta(hours=1),
        reason="held 5 min",
        told=True,
    )
    w = monitored.world
    http = w.http(w.bob)
    body = http.get(f"/monitoring/alerts/{found.pk}/").content.decode()
    assert body.index("92 % &gt; 90 %") < body.index("held 5 min")
    assert "Acknowledge" in body
    response = http.post(f"/monitoring/alerts/{found.pk}/acknowledge/", {"note": "on it"})
    assert response.status_code == 302
    found.refresh_from_db()
    assert found.acknowledged_by == w.bob
    assert AlertEvent.objects.filter(
        alert=found, kind=AlertEventKind.ACKNOWLEDGED, reason="on it"
    ).exists()
    carol = w.http(w.carol)
    assert (
        "Acknowledge</button>" not in carol.get(f"/monitoring/alerts/{found.pk}/").content.decode()
    )
    assert carol.post(f"/monitoring/alerts/{found.pk}/acknowledge/").status_code == 403
    assert w.http(w.dave).get(f"/monitoring/alerts/{found.pk}/").status_code == 404


def test_a_rule_override_is_created_edited_and_deleted(monitored: Monitored) -> None:
    w = monitored.world
    http = w.http(w.bob)
    listing = http.get(f"/monitoring/clients/{w.acme.pk}/rules/").content.decode()
    assert "disk-forecast" in listing
    response = http.post(
        f"/monitoring/clients/{w.acme.pk}/rules/new/",
        {"rule_id": "disk-full", "asset": monitored.fs01.pk, "enabled": "on", "threshold": 95},
    )
    assert response.status_code == 302
    row = AlertRule.objects.get(client=w.acme, rule_id="disk-full")
    assert (row.asset, row.threshold) == (monitored.fs01, 95.0)
    response = http.post(
        f"/monitoring/rules/{row.pk}/edit/",
        {
            "rule_id": "disk-full",
            "asset": monitored.fs01.pk,
            "threshold": 97,
            "severity": "critical",
        },
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.threshold, row.enabled, row.severity) == (97.0, False, "critical")
    assert http.post(f"/monitoring/rules/{row.pk}/delete/").status_code == 302
    assert not AlertRule.objects.filter(pk=row.pk).exists()


def test_rule_errors_are_named_per_field(monitored: Monitored) -> None:
    w = monitored.world
    response = w.http(w.bob).post(
        f"/monitoring/clients/{w.acme.pk}/rules/new/",
        {"rule_id": "cpu-high", "enabled": "on", "threshold": 80, "recovery_threshold": 85},
    )
    assert response.status_code == 400
    assert "Recovery threshold: must be at or below the threshold 80" in response.content.decode()
    assert w.http(w.carol).get(f"/monitoring/clients/{w.acme.pk}/rules/new/").status_code == 403
    row = alert_rules.create_rule(w.acme, None, rule_id="cpu-high", threshold=95.0)
    assert w.http(w.dave).get(f"/monitoring/rules/{row.pk}/edit/").status_code == 404


def test_the_calendar_shows_occurrences_and_marks_the_clients(monitored: Monitored) -> None:
    w = monitored.world
    create_window(
        w.acme,
        title="Patch Sunday",
        starts_at=datetime.fromisoformat("2026-11-01T02:00:00+01:00"),
        rrule="FREQ=WEEKLY;BYDAY=SU",
        duration_seconds=7200,
        timezone="Europe/Berlin",
    )
    create_window(
        w.acme,
        title="Core switch swap",
        starts_at=datetime.fromisoformat("2026-11-18T22:00:00+01:00"),
        ends_at=datetime.fromisoformat("2026-11-19T01:00:00+01:00"),
        shown_to_client=False,
    )
    staff = w.http(w.bob).get(f"/monitoring/clients/{w.acme.pk}/maintenance/?month=2026-11")
    assert staff.status_code == 200
    weeks = staff.context["weeks"]
    days = {d.day.isoformat(): d for week in weeks for d in week}
    assert min(days) == "2026-10-26"  # the Monday before 1 November
    assert max(days) == "2026-12-06"
    sundays = [
        k for k, d in days.items() if any(e.window.title == "Patch Sunday" for e in d.entries)
    ]
    assert sundays == [
        "2026-11-01",
        "2026-11-08",
        "2026-11-15",
        "2026-11-22",
        "2026-11-29",
        "2026-12-06",
    ]
    # Over midnight: on both days, in Berlin time.
    assert [e.start.hour for e in days["2026-11-18"].entries] == [22]
    assert [e.end.hour for e in days["2026-11-19"].entries] == [1]
    body = staff.content.decode()
    assert "(internal)" in body
    contact = w.http(w.carol).get(f"/monitoring/clients/{w.acme.pk}/maintenance/?month=2026-11")
    assert "Patch Sunday" in contact.content.decode()
    assert "Core switch swap" not in contact.content.decode()
    assert w.http(w.dave).get(f"/monitoring/clients/{w.acme.pk}/maintenance/").status_code == 404


def test_upcoming_maintenance_on_the_client_page(monitored: Monitored) -> None:
    w = monitored.world
    create_window(
        w.acme,
        title="Patch Sunday",
        starts_at=datetime.fromisoformat("2026-11-01T02:00:00+01:00"),
        rrule="FREQ=WEEKLY;BYDAY=SU",
        duration_seconds=7200,
        timezone="Europe/Berlin",
    )
    create_window(
        w.acme,
        title="Core switch swap",
        starts_at=NOW + timedelta(days=2),
        ends_at=NOW + timedelta(days=2, hours=3),
        shown_to_client=False,
    )
    body = w.http(w.carol).get(f"/monitoring/clients/{w.acme.pk}/").content.decode()
    assert re.search(r'data-figure="maintenance">2<', body)  # 6 and 13 December
    assert "Sun 6 Dec 02:00" in body
    assert "Core switch swap" not in body
    staff = w.http(w.bob).get(f"/monitoring/clients/{w.acme.pk}/").content.decode()
    assert re.search(r'data-figure="maintenance">3<', staff)
    assert "internal" in staff


def test_a_bad_month_shows_this_month(monitored: Monitored) -> None:
    w = monitored.world
    for month in ("9999-12", "2026-13", "soon", "0001-01"):
        response = w.http(w.bob).get(f"/monitoring/clients/{w.acme.pk}/maintenance/?month={month}")
        assert response.status_code == 200
        assert response.context["month"].isoformat() == "2026-11-01"


def test_staff_plan_a_window_in_its_time_zone(monitored: Monitored) -> None:
    w = monitored.world
    http = w.http(w.bob)
    form = http.get(f"/monitoring/clients/{w.acme.pk}/maintenance/new/").content.decode()
    assert 'value="Europe/Berlin"' in form  # the client's zone by default
    response = http.post(
        f"/monitoring/clients/{w.acme.pk}/maintenance/new/",
        {
            "title": "Patch Sunday",
            "timezone": "Europe/Berlin",
            "starts_at": "2026-12-06T02:00",
            "rrule": "FREQ=WEEKLY;BYDAY=SU",
            "duration_minutes": 120,
            "assets": [monitored.fs01.pk],
        },
    )
    assert response.status_code == 302
    row = MaintenanceWindow.objects.get(title="Patch Sunday")
    assert row.starts_at == datetime.fromisoformat("2026-12-06T01:00:00+00:00")
    assert (row.duration_seconds, row.shown_to_client) == (7200, False)
    assert list(row.assets.all()) == [monitored.fs01]
    edit = http.get(f"/monitoring/maintenance/{row.pk}/edit/").content.decode()
    assert 'value="2026-12-06T02:00"' in edit
    assert http.post(f"/monitoring/maintenance/{row.pk}/delete/").status_code == 302
    assert not MaintenanceWindow.objects.filter(pk=row.pk).exists()


def test_window_errors_are_named_per_field(monitored: Monitored) -> None:
    w = monitored.world
    response = w.http(w.bob).post(
        f"/monitoring/clients/{w.acme.pk}/maintenance/new/",
        {"title": "Bad", "timezone": "Mars/Olympus", "starts_at": "2026-12-06T02:00"},
    )
    assert "Timezone: not a time zone name such as Europe/Berlin" in response.content.decode()
    response = w.http(w.bob).post(
        f"/monitoring/clients/{w.acme.pk}/maintenance/new/",
        {
            "title": "Bad",
            "timezone": "UTC",
            "starts_at": "2026-12-06T02:00",
            "rrule": "FREQ=WEEKLY;BYDAY=SUN",
            "duration_minutes": 60,
        },
    )
    assert response.status_code == 400
    assert "rrule.BYDAY" in response.content.decode()
    assert (
        w.http(w.carol).get(f"/monitoring/clients/{w.acme.pk}/maintenance/new/").status_code == 403
    )


def test_a_contact_cannot_open_an_internal_window(monitored: Monitored) -> None:
    w = monitored.world
    row = create_window(
        w.acme,
        title="Internal",
        starts_at=NOW,
        ends_at=NOW + timedelta(hours=1),
        shown_to_client=False,
    )
    assert w.http(w.carol).get(f"/monitoring/maintenance/{row.pk}/edit/").status_code == 404


def test_the_cpu_chart_draws_the_effective_threshold(monitored: Monitored) -> None:
    w = monitored.world
    http = w.http(w.bob)
    url = f"/monitoring/assets/{monitored.fs01.pk}/"

    def cpu_limit() -> float | None:
        charts = http.get(url).context["charts"]
        return next(c for c in charts if c.title.startswith("CPU")).chart.limit_y

    assert cpu_limit() == round(156 - 90 * 1.46, 1)  # the default: 90 %
    alert_rules.create_rule(w.acme, monitored.fs01, rule_id="cpu-high", threshold=75.0)
    assert cpu_limit() == round(156 - 75 * 1.46, 1)
