"""An asset's page (facts, checks with their state history, charts), the asset form and the
CSV import. Lookups start at ``visible_to(request.user)``; changes go through the services."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Subquery
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone

from steward.monitoring import services
from steward.monitoring.charts import Band, state_strip
from steward.monitoring.choices import FactStatus
from steward.monitoring.forms import AssetForm, AssetImportForm
from steward.monitoring.importing import import_assets
from steward.monitoring.models import Asset, AssetFact, Check, CheckResult, Series
from steward.monitoring.views.charting import DEFAULT_SPAN, SPANS, asset_charts
from steward.monitoring.views.common import (
    add_errors,
    client_zone,
    page,
    require_configure,
    visible,
    visible_client,
)
from steward.tenancy.models import Client, Site

STRIP_SPAN = timedelta(hours=24)
STRIP_WIDTH = 240


def state_histories(checks: list[Check], now: datetime) -> dict[int, list[Band]]:
    """Each check's states over the last day as bands (runs of equal results merged), in two
    queries for all of them: the state each had when the day began, then the day's results."""
    since = now - STRIP_SPAN
    results = CheckResult.objects.filter(of_check__in=checks)
    before = Subquery(
        CheckResult.objects.filter(of_check=OuterRef("pk"), at__lt=since)
        .order_by("-at")
        .values("state")[:1]
    )
    starting = dict(
        Check.objects.filter(pk__in=[c.pk for c in checks])
        .annotate(before=before)
        .values_list("pk", "before")
    )
    changes: dict[int, list[tuple[float, str, str]]] = {
        c.pk: [(since.timestamp(), state, f"{state} when the day began")]
        if (state := starting.get(c.pk))
        else []
        for c in checks
    }
    day = results.filter(at__gte=since, at__lte=now).order_by("of_check_id", "at")
    for check_id, at, state in day.values_list("of_check_id", "at", "state"):
        found = changes[check_id]
        if not found or found[-1][1] != state:
            found.append((at.timestamp(), state, f"{state} since {at:%Y-%m-%d %H:%M} UTC"))
    return {
        pk: state_strip(found, since.timestamp(), now.timestamp(), STRIP_WIDTH)
        for pk, found in changes.items()
    }


@login_required
def asset_detail(request: HttpRequest, asset_id: int) -> HttpResponse:
    user: Any = request.user
    asset = visible(Asset, request, asset_id)
    span = SPANS.get(request.GET.get("span", ""), SPANS[DEFAULT_SPAN])
    now = timezone.now()
    zone = client_zone(asset.client)
    checks = list(
        Check.objects.visible_to(user)
        .filter(asset=asset)
        .select_related("current")
        .order_by("name")
    )
    strips = state_histories(checks, now)
    return page(
        request,
        "monitoring/asset.html",
        asset=asset,
        facts=AssetFact.objects.visible_to(user).filter(asset=asset).order_by("name"),
        unsupported=FactStatus.UNSUPPORTED,
        checks=[(c, getattr(c, "current", None), strips[c.pk]) for c in checks],
        strip_width=STRIP_WIDTH,
        charts=asset_charts(asset, Series.objects.visible_to(user), now, span, zone),
        spans=SPANS.values(),
        span=span,
        zone=zone,
        today=now.astimezone(zone).date(),
        now=now,
    )


def _sites(client: Client) -> Any:
    return Site.objects.filter(client=client).order_by("name")


def _asset_form(request: HttpRequest, client: Client, asset: Asset | None) -> HttpResponse:
    require_configure(request)
    initial = AssetForm.initial_of(asset) if asset else None
    data = request.POST if request.method == "POST" else None
    form = AssetForm(data, initial=initial, sites=_sites(client))
    if data is not None and form.is_valid():
        try:
            if asset is None:
                asset = services.create_asset(client, **form.values())
            else:
                asset = services.update_asset(asset, form.values())
        except ValidationError as exc:
            add_errors(form, exc, {"site_id": "site", "owner_id": "owner"})
        else:
            messages.success(request, f"Saved asset {asset.name}.")
            return HttpResponseRedirect(reverse("monitoring:asset", args=[asset.pk]))
    title = f"Edit {asset.name}" if asset else "New asset"
    cancel = (
        reverse("monitoring:asset", args=[asset.pk])
        if asset
        else reverse("monitoring:client", args=[client.pk])
    )
    status = 400 if form.errors else 200
    return page(
        request,
        "monitoring/asset_form.html",
        status,
        form=form,
        title=title,
        cancel=cancel,
        client=client,
        asset=asset,
    )


@login_required
def asset_create(request: HttpRequest, client_id: int) -> HttpResponse:
    return _asset_form(request, visible_client(request, client_id), None)


@login_required
def asset_edit(request: HttpRequest, asset_id: int) -> HttpResponse:
    asset = visible(Asset, request, asset_id)
    return _asset_form(request, asset.client, asset)


@login_required
def asset_import(request: HttpRequest, client_id: int) -> HttpResponse:
    """Upload a CSV of assets; the report lists each bad row's field and reason."""
    client = visible_client(request, client_id)
    require_configure(request)
    form = AssetImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            report = import_assets(client, form.text())
        except ValidationError as exc:
            add_errors(form, exc)
    return page(
        request,
        "monitoring/asset_import.html",
        400 if form.errors else 200,
        form=form,
        client=client,
        report=report,
    )


urlpatterns = [
    path("assets/<int:asset_id>/", asset_detail, name="asset"),
    path("assets/<int:asset_id>/edit/", asset_edit, name="asset_edit"),
    path("clients/<int:client_id>/assets/new/", asset_create, name="asset_create"),
    path("clients/<int:client_id>/assets/import/", asset_import, name="asset_import"),
]
