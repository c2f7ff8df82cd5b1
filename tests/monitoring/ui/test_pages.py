"""The monitoring pages: the portfolio, a client's health (and its htmx refresh), an asset's
page with its charts, as staff and as client contacts."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from steward.monitoring import services
from steward.monitoring.models import AssetFact, Rollup
from steward.tenancy import services as tenancy
from tests.monitoring.ui.conftest import NOW, Monitored, result


def test_the_portfolio_counts_each_client(monitored: Monitored) -> None:
    w = monitored.world
    response = w.http(w.alice).get("/monitoring/")
    assert response.status_code == 200
    rows = {row.client.name: row for row in response.context["rows"]}
    acme = rows["Acme Corporation"]
    assert (acme.assets, acme.reporting, acme.failing, acme.critical) == (2, 1, 1, 1)
    assert [f.series.pk for f in acme.forecasts] == [monitored.disk.pk]
    assert acme.chip == ("breached", "Failing")
    globex = rows["Globex Inc"]
    assert (globex.assets, globex.reporting, globex.failing) == (1, 0, 0)
    assert globex.chip == ("met", "Healthy")
    body = response.content.decode()
    assert f'href="/monitoring/clients/{w.acme.pk}/"' in body
    assert "1 / 2" in body


def test_the_portfolio_names_the_area_in_the_navigation(monitored: Monitored) -> None:
    w = monitored.world
    body = w.http(w.bob).get("/monitoring/").content.decode()
    assert 'href="/monitoring/"' in body


def test_a_contact_sees_only_their_client(monitored: Monitored) -> None:
    w = monitored.world
    response = w.http(w.dave).get("/monitoring/")
    assert [row.client.name for row in response.context["rows"]] == ["Globex Inc"]
    assert "Acme" not in response.content.decode()
    dave = w.http(w.dave)
    for url in (
        f"/monitoring/clients/{w.acme.pk}/",
        f"/monitoring/assets/{monitored.fs01.pk}/",
        f"/monitoring/clients/{w.acme.pk}/checks/",
        f"/monitoring/checks/{monitored.portal.pk}/edit/",
    ):
        assert dave.get(url).status_code == 404, url


def test_a_contact_reads_their_own_client_but_changes_nothing(monitored: Monitored) -> None:
    w = monitored.world
    carol = w.http(w.carol)
    assert carol.get(f"/monitoring/clients/{w.acme.pk}/").status_code == 200
    assert carol.get(f"/monitoring/assets/{monitored.fs01.pk}/").status_code == 200
    assert carol.get(f"/monitoring/assets/{monitored.fs01.pk}/edit/").status_code == 403
    assert carol.get(f"/monitoring/checks/{monitored.portal.pk}/edit/").status_code == 403
    assert carol.post(f"/monitoring/checks/{monitored.portal.pk}/toggle/").status_code == 403


def test_the_client_page_shows_its_health(monitored: Monitored) -> None:
    w = monitored.world
    response = w.http(w.bob).get(f"/monitoring/clients/{w.acme.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'hx-trigger="every 30s"' in body
    assert "<html" in body
    assert re.search(r'data-figure="failing">1<', body)
    assert re.search(r'data-figure="forecasts">1<', body)
    assert "full in 1.0 days" in body
    assert "HTTP 503" in body
    assert "expired 2025-01-01" in body
    assert "end of life 2020-01-01" in body
    assert "silent" in body
    assert '<span class="chip chip-breached">Failing</span>' in body


def test_the_htmx_refresh_returns_the_panel_alone(monitored: Monitored) -> None:
    w = monitored.world
    response = w.http(w.bob).get(
        f"/monitoring/clients/{w.acme.pk}/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="client-health"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="client-health"')
    assert "<html" not in body
    assert "portal" in body


def _chart(response: Any, title: str) -> Any:
    return next(c for c in response.context["charts"] if c.title.startswith(title))


def test_the_asset_page_draws_the_known_cpu_series(monitored: Monitored) -> None:
    w = monitored.world
    response = w.http(w.bob).get(f"/monitoring/assets/{monitored.fs01.pk}/")
    assert response.status_code == 200
    cpu = _chart(response, "CPU")
    # A day wide: x = 48 + share * 580; 0..100 %: y = 156 - v * 1.46.
    assert cpu.chart.lines == ["M48,156 L338,83 L483,10"]
    assert 'd="M48,156 L338,83 L483,10"' in response.content.decode()


def test_the_disk_chart_carries_the_forecast_line(monitored: Monitored) -> None:
    w = monitored.world
    response = w.http(w.bob).get(f"/monitoring/assets/{monitored.fs01.pk}/")
    disk = _chart(response, "Disk /")
    assert disk.note == "full in 1.0 days"
    forecast = disk.chart.forecast
    assert forecast is not None
    # The chart spans 24 h back and 6 h ahead (580 units over 30 h): now is at 48 + 464.
    assert forecast.x1 == 512.0
    assert forecast.y1 == round(156 - 90 * 1.46, 1)
    assert not forecast.reaches_limit  # 100 % is a day ahead, beyond the right edge
    assert forecast.y2 == round(156 - 92.5 * 1.46, 1)
    body = response.content.decode()
    assert 'class="chart-forecast"' in body
    assert 'stroke-dasharray="6 4"' in body


def test_the_asset_page_shows_checks_with_their_history(monitored: Monitored) -> None:
    w = monitored.world
    response = w.http(w.bob).get(f"/monitoring/assets/{monitored.fs01.pk}/")
    ((_check, state, bands),) = response.context["checks"]
    assert state.state == "critical"
    assert [(b.state, b.x, b.width) for b in bands] == [
        ("ok", 40.0, 180.0),
        ("critical", 220.0, 20.0),
    ]
    body = response.content.decode()
    assert 'class="band band-critical"' in body
    latency = _chart(response, "HTTP response")
    assert latency.unit == "ms"
    assert latency.chart.points == 9


def test_longer_spans_read_the_hourly_rollups(monitored: Monitored) -> None:

    hour = int(monitored.fs01.created_at.timestamp()) // 3600 * 3600 - 48 * 3600
    Rollup.objects.create(series=monitored.cpu, hour=hour, min=10, max=30, sum=40, count=2)
    Rollup.objects.create(series=monitored.cpu, hour=hour + 3600, min=30, max=30, sum=30, count=1)
    w = monitored.world
    response = w.http(w.bob).get(f"/monitoring/assets/{monitored.fs01.pk}/?span=7d")
    cpu = _chart(response, "CPU")
    assert cpu.chart.points == 2
    assert "hourly rollups" in response.content.decode()


def test_unsupported_facts_are_shown_as_such(monitored: Monitored) -> None:

    AssetFact.objects.create(
        asset=monitored.fs01, name="disk.encryption", status="unsupported", at=NOW
    )
    w = monitored.world
    body = w.http(w.bob).get(f"/monitoring/assets/{monitored.fs01.pk}/").content.decode()
    assert "disk.encryption" in body
    assert "unsupported" in body


def test_the_portfolio_costs_the_same_queries_for_more_clients(monitored: Monitored) -> None:
    w = monitored.world
    http = w.http(w.alice)
    http.get("/monitoring/")
    with CaptureQueriesContext(connection) as before:
        http.get("/monitoring/")
    for i in range(5):
        client = tenancy.create_client(name=f"Initech {i}", code=f"initech{i}")
        services.create_asset(client, name=f"host{i}", kind="server")
    with CaptureQueriesContext(connection) as after:
        http.get("/monitoring/")
    assert len(after) == len(before)


def test_the_asset_page_costs_the_same_queries_for_more_checks(monitored: Monitored) -> None:
    w = monitored.world
    http = w.http(w.bob)
    url = f"/monitoring/assets/{monitored.fs01.pk}/"
    http.get(url)
    with CaptureQueriesContext(connection) as before:
        http.get(url)
    for i in range(3):
        check = services.create_check(
            w.acme,
            collector=monitored.portal.collector,
            asset=monitored.fs01,
            type="tcp",
            name=f"port {i}",
            params={"host": "db.example.com", "port": 5432 + i},
        )
        result(check, NOW - timedelta(hours=30), "critical")
        result(check, NOW - timedelta(hours=1), "ok")
    with CaptureQueriesContext(connection) as after:
        response = http.get(url)
    assert len(after) == len(before)
    strips = {c.name: [(b.state, b.x) for b in bands] for c, _, bands in response.context["checks"]}
    assert strips["port 0"] == [("critical", 0), ("ok", 230.0)]
