"""The portfolio of clients' health and one client's health overview (refreshed by htmx)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils import timezone

from steward.monitoring.choices import CheckStatus
from steward.monitoring.models import Asset, CheckState, Series
from steward.monitoring.views import alerting
from steward.monitoring.views.common import client_zone, htmx_target, page, visible_client
from steward.monitoring.views.health import (
    FORECAST_HORIZON,
    REPORTING_WINDOW,
    ClientHealth,
    disk_forecasts,
    disk_series,
    failing_states,
    portfolio,
)
from steward.tenancy.models import Client

REFRESH_SECONDS = 30


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Every client the user sees, with its assets, failing checks, alerts and forecasts."""
    now = timezone.now()
    clients = Client.objects.visible_to(request.user).order_by("name")
    rows = portfolio(request.user, clients, now)
    firing = alerting.firing_counts(request.user, [r.client.pk for r in rows])
    for row in rows:
        row.firing = firing.get(row.client.pk, 0)
    rows.sort(key=lambda r: (-r.critical - (r.firing or 0), -r.failing, r.client.name))
    return page(request, "monitoring/index.html", rows=rows, now=now)


def client_health(request: HttpRequest, client: Client) -> dict[str, Any]:
    """What the client page shows, as of now."""
    user: Any = request.user
    now = timezone.now()
    zone = client_zone(client)
    today = now.astimezone(zone).date()
    since = now - REPORTING_WINDOW
    assets = list(
        Asset.objects.visible_to(user).filter(client=client).select_related("site").order_by("name")
    )
    failing = (
        failing_states(CheckState.objects.visible_to(user))
        .filter(of_check__client=client)
        .order_by("-state", "since")
    )
    disks = disk_series(Series.objects.visible_to(user).filter(client=client))
    forecasts = sorted(
        (f for f in disk_forecasts(disks, now) if f.within(FORECAST_HORIZON)),
        key=lambda f: f.days_left or 0.0,
    )
    alerts = alerting.firing_for_client(user, client)
    failing_rows = list(failing)
    health = ClientHealth(
        client,
        assets=len(assets),
        reporting=sum(a.last_seen_at is not None and a.last_seen_at >= since for a in assets),
        failing=len(failing_rows),
        critical=sum(s.state == CheckStatus.CRITICAL for s in failing_rows),
        firing=len(alerts),
        forecasts=forecasts,
    )
    return {
        "client": client,
        "health": health,
        "now": now,
        "zone": zone,
        "assets": [
            {
                "asset": a,
                "reporting": a.last_seen_at is not None
                and a.last_seen_at >= now - REPORTING_WINDOW,
                "warranty_expired": a.warranty_expired(today),
                "os_eol": a.os_end_of_life(today),
            }
            for a in assets
        ],
        "failing": failing_rows,
        "forecasts": forecasts,
        "alerts": alerts,
        "maintenance": alerting.upcoming_for_client(user, client, now, timedelta(days=14)),
        "refresh_seconds": REFRESH_SECONDS,
    }


@login_required
def client_page(request: HttpRequest, client_id: int) -> HttpResponse:
    """One client's health; an htmx request (every 30 s) gets the panel alone."""
    client = visible_client(request, client_id)
    context = client_health(request, client)
    if htmx_target(request) == "client-health":
        return page(request, "monitoring/_client_health.html", **context)
    return page(request, "monitoring/client.html", **context)


urlpatterns = [
    path("", index, name="index"),
    path("clients/<int:client_id>/", client_page, name="client"),
]
