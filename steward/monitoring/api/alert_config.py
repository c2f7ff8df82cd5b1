"""Alert configuration under /api/v1/: maintenance windows (and what is coming up), rule
overrides and extra rules, webhook sources (the token is in the creating answer only).
MSP staff change them; everyone who sees a client reads its windows (a contact only those
shown to clients) and its rules."""

from datetime import timedelta
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status

from steward.api.auth import Principal
from steward.api.params import ObjectId
from steward.monitoring.api.alert_schemas import (
    OccurrenceOut,
    RuleFilters,
    RuleIn,
    RuleOut,
    RulePatch,
    SourceCreated,
    SourceIn,
    SourceOut,
    UpcomingFilters,
    WindowIn,
    WindowOut,
    WindowPatch,
)
from steward.monitoring.api.common import reader, staff_writer, visible, visible_client
from steward.monitoring.models import AlertRule, Asset, MaintenanceWindow, WebhookSource
from steward.monitoring.services import alert_intake, alert_rules, windows
from steward.tenancy.models import Client
from steward.tenancy.scoping import ALL, is_active_staff, visible_client_filter

router = Router(tags=["alert configuration"])


def _assets(client: Client, ids: list[int]) -> list[Asset]:
    found = list(Asset.objects.filter(client=client, pk__in=ids))
    missing = sorted(set(ids) - {a.pk for a in found})
    if missing:
        raise HttpError(422, f"asset_ids: no asset {missing[0]} at this client")
    return found


def _window_out(row: MaintenanceWindow) -> dict[str, Any]:
    data = {f: getattr(row, f) for f in WindowOut.model_fields if f != "asset_ids"}
    data["asset_ids"] = sorted(row.assets.values_list("pk", flat=True))
    return data


def _windows(who: Principal) -> QuerySet[MaintenanceWindow]:
    rows = MaintenanceWindow.objects.visible_to(who.user)
    return rows if is_active_staff(who.user) else rows.filter(shown_to_client=True)


# --- Maintenance windows --------------------------------------------------------------------------


@router.get("/maintenance-windows", response=list[WindowOut])
@paginate(LimitOffsetPagination)
def list_windows(request: HttpRequest, filters: Query[RuleFilters]) -> list[dict[str, Any]]:
    rows = _windows(reader(request)).prefetch_related("assets").order_by("starts_at", "pk")
    if filters.client_id is not None:
        rows = rows.filter(client_id=filters.client_id)
    if filters.asset_id is not None:
        rows = rows.filter(assets=filters.asset_id)
    return [_window_out(row) for row in rows]


@router.get("/maintenance-windows/upcoming", response=list[OccurrenceOut])
def upcoming_windows(request: HttpRequest, filters: Query[UpcomingFilters]) -> list[dict[str, Any]]:
    """Occurrences in force now or starting within ``days`` (14 by default), in order."""
    rows = _windows(reader(request))
    if filters.client_id is not None:
        rows = rows.filter(client_id=filters.client_id)
    found = windows.upcoming(rows, timezone.now(), timedelta(days=filters.days))
    return [
        {
            "maintenance_window_id": row.pk,
            "client_id": row.client_id,
            "title": row.title,
            "start": occurrence.start,
            "end": occurrence.end,
        }
        for row, occurrence in found
    ]


@router.post("/maintenance-windows", response={201: WindowOut})
def create_window(request: HttpRequest, payload: WindowIn) -> Status[dict[str, Any]]:
    who = staff_writer(request)
    client = visible_client(who, payload.client_id)
    fields = payload.dict()
    fields.pop("client_id")
    assets = _assets(client, fields.pop("asset_ids"))
    row = windows.create_window(client, assets, created_by=who.user, **fields)
    return Status(201, _window_out(row))


@router.get("/maintenance-windows/{maintenance_window_id}", response=WindowOut)
def get_window(request: HttpRequest, maintenance_window_id: ObjectId) -> dict[str, Any]:
    who = reader(request)
    row = visible(MaintenanceWindow, who, maintenance_window_id)
    if not is_active_staff(who.user) and not row.shown_to_client:
        raise HttpError(404, "Not Found")
    return _window_out(row)


@router.patch("/maintenance-windows/{maintenance_window_id}", response=WindowOut)
def update_window(
    request: HttpRequest, maintenance_window_id: ObjectId, payload: WindowPatch
) -> dict[str, Any]:
    row = visible(MaintenanceWindow, staff_writer(request), maintenance_window_id)
    changes = payload.dict(exclude_unset=True)
    ids = changes.pop("asset_ids", None)
    assets = None if ids is None else _assets(row.client, ids)
    return _window_out(windows.update_window(row, changes, assets))


@router.delete("/maintenance-windows/{maintenance_window_id}", response={204: None})
def delete_window(request: HttpRequest, maintenance_window_id: ObjectId) -> Status[None]:
    windows.delete_window(visible(MaintenanceWindow, staff_writer(request), maintenance_window_id))
    return Status(204, None)


# --- Rule overrides and extra rules ---------------------------------------------------------------


@router.get("/alert-rules", response=list[RuleOut])
@paginate(LimitOffsetPagination)
def list_rules(request: HttpRequest, filters: Query[RuleFilters]) -> QuerySet[AlertRule]:
    """Overrides and extra rules: global ones (no client, staff only), a client's, an asset's."""
    rows = AlertRule.objects.visible_to(reader(request).user)
    exact = {k: v for k, v in filters.dict().items() if v is not None}
    return rows.filter(**exact).order_by("client_id", "asset_id", "rule_id", "pk")


def _may_change_global(who: Principal) -> None:
    if visible_client_filter(who.user) is not ALL:
        raise HttpError(403, "only staff who see every client may change global rules")


@router.post("/alert-rules", response={201: RuleOut})
def create_rule(request: HttpRequest, payload: RuleIn) -> Status[AlertRule]:
    who = staff_writer(request)
    fields = payload.dict()
    client_id, asset_id = fields.pop("client_id"), fields.pop("asset_id")
    asset = None
    if asset_id is not None:
        asset = visible(Asset, who, asset_id)
        if client_id is not None and client_id != asset.client_id:
            raise HttpError(422, "asset_id: the asset belongs to another client")
        client_id = asset.client_id
    client = None if client_id is None else visible_client(who, client_id)
    if client is None:
        _may_change_global(who)
    fields = {
        k: ("" if v is None and k in ("severity", "kind", "comparison") else v)
        for k, v in fields.items()
    }
    return Status(201, alert_rules.create_rule(client, asset, **fields))


def _rule(request: HttpRequest, pk: int) -> AlertRule:
    who = staff_writer(request)
    row = visible(AlertRule, who, pk)
    if row.client_id is None:
        _may_change_global(who)
    return row


@router.get("/alert-rules/{alert_rule_id}", response=RuleOut)
def get_rule(request: HttpRequest, alert_rule_id: ObjectId) -> AlertRule:
    return visible(AlertRule, reader(request), alert_rule_id)


@router.patch("/alert-rules/{alert_rule_id}", response=RuleOut)
def update_rule(request: HttpRequest, alert_rule_id: ObjectId, payload: RulePatch) -> AlertRule:
    row = _rule(request, alert_rule_id)
    changes = payload.dict(exclude_unset=True)
    for name in ("severity", "comparison"):
        if name in changes and changes[name] is None:
            changes[name] = ""
    return alert_rules.update_rule(row, changes)


@router.delete("/alert-rules/{alert_rule_id}", response={204: None})
def delete_rule(request: HttpRequest, alert_rule_id: ObjectId) -> Status[None]:
    alert_rules.delete_rule(_rule(request, alert_rule_id))
    return Status(204, None)


# --- Webhook sources ------------------------------------------------------------------------------


@router.get("/webhook-sources", response=list[SourceOut])
@paginate(LimitOffsetPagination)
def list_sources(request: HttpRequest, filters: Query[RuleFilters]) -> QuerySet[WebhookSource]:
    rows = WebhookSource.objects.visible_to(staff_writer(request).user)
    if filters.client_id is not None:
        rows = rows.filter(client_id=filters.client_id)
    return rows.order_by("name", "pk")


@router.post("/webhook-sources", response={201: SourceCreated})
def create_source(request: HttpRequest, payload: SourceIn) -> Status[dict[str, Any]]:
    who = staff_writer(request)
    client = visible_client(who, payload.client_id)
    source, token = alert_intake.create_source(
        client, name=payload.name, asset_labels=payload.asset_labels, created_by=who.user
    )
    data = SourceOut.from_orm(source).dict()
    return Status(201, {**data, "token": token})


@router.post("/webhook-sources/{webhook_source_id}/revoke", response=SourceOut)
def revoke_source(request: HttpRequest, webhook_source_id: ObjectId) -> WebhookSource:
    row = visible(WebhookSource, staff_writer(request), webhook_source_id)
    return alert_intake.revoke_source(row, timezone.now())
