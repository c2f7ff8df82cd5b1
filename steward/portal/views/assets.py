"""The client's assets, read-only, with warranty and OS support flags, and the maintenance
coming up (the windows the MSP marked as shown to the client)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone

from steward.monitoring.models import Asset, MaintenanceWindow
from steward.monitoring.views.alerting import upcoming_for_client
from steward.portal.access import contact_required, own_client, portal_login_required
from steward.portal.lifecycle import asset_flags
from steward.portal.views.common import portal_page
from steward.tenancy.models import Client

AHEAD = timedelta(days=30)


def client_maintenance(user: Any, client: Client, asset: Asset | None = None) -> list[Any]:
    """Upcoming occurrences shown to the client (staff previews see the same), optionally
    those that cover ``asset`` (a window without assets covers them all)."""
    found = upcoming_for_client(user, client, timezone.now(), AHEAD)
    found = [(w, o) for w, o in found if w.shown_to_client]
    if asset is not None and found:
        links = MaintenanceWindow.assets.through.objects.filter(
            maintenancewindow_id__in=[w.pk for w, _ in found]
        ).values_list("maintenancewindow_id", "asset_id")
        scoped: dict[int, set[int]] = {}
        for window_id, asset_id in links:
            scoped.setdefault(window_id, set()).add(asset_id)
        found = [(w, o) for w, o in found if w.pk not in scoped or asset.pk in scoped[w.pk]]
    return found


def _today(client: Client) -> Any:
    return timezone.now().astimezone(ZoneInfo(client.timezone)).date()


@contact_required
def asset_list(request: HttpRequest) -> HttpResponse:
    client = own_client(request)
    today = _today(client)
    rows = Asset.objects.visible_to(request.user).filter(client=client).select_related("site")
    assets = [
        (a, asset_flags(a.warranty_ends_on, a.os_eol_on, today))
        for a in rows.order_by("name", "pk")
    ]
    return portal_page(request, "portal/assets.html", client=client, nav="assets", assets=assets,
                       maintenance=client_maintenance(request.user, client),
                       zone=client.timezone)  # fmt: skip


@portal_login_required
def asset_detail(request: HttpRequest, asset_id: int) -> HttpResponse:
    asset = get_object_or_404(
        Asset.objects.visible_to(request.user).select_related("site", "owner", "client"),
        pk=asset_id,
    )
    client = asset.client
    flags = asset_flags(asset.warranty_ends_on, asset.os_eol_on, _today(client))
    return portal_page(request, "portal/asset.html", client=client, nav="assets", asset=asset,
                       flags=flags, maintenance=client_maintenance(request.user, client, asset),
                       zone=client.timezone)  # fmt: skip
