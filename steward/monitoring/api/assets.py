"""Assets under /api/v1/: list with filters, read, create and change by hand, facts, and the
CSV import. Every lookup starts at ``Asset.objects.visible_to(user)``."""

from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status

from steward.api.params import ObjectId
from steward.monitoring import services
from steward.monitoring.api.common import reader, related, staff_writer, visible, visible_client
from steward.monitoring.importing import MAX_ROWS, import_assets
from steward.monitoring.models import Asset, AssetFact
from steward.monitoring.schemas import AssetFilters, AssetIn, AssetOut, AssetPatch, FactOut
from steward.tenancy.models import Contact, Site

router = Router(tags=["assets"])
MAX_CSV_BYTES = 5 * 1024 * 1024


def _filtered(assets: QuerySet[Asset], f: AssetFilters) -> QuerySet[Asset]:
    today = timezone.localdate()
    exact = {"client_id": f.client_id, "site_id": f.site_id, "kind": f.kind, "source": f.source}
    assets = assets.filter(**{k: v for k, v in exact.items() if v is not None})
    if f.q:
        assets = assets.filter(
            Q(name__icontains=f.q) | Q(hostname__icontains=f.q) | Q(serial__icontains=f.q)
        )
    if f.tag:
        # Tags are few per asset; a containment test on JSON differs per database.
        ids = [pk for pk, tags in assets.values_list("pk", "tags") if f.tag in (tags or [])]
        assets = assets.filter(pk__in=ids)
    if f.warranty_expired is not None:
        expired = Q(warranty_ends_on__lt=today)
        assets = assets.filter(expired if f.warranty_expired else Q(warranty_ends_on__gte=today))
    if f.os_end_of_life is not None:
        ended = Q(os_eol_on__lt=today)
        assets = assets.filter(ended if f.os_end_of_life else Q(os_eol_on__gte=today))
    return assets


@router.get("/assets", response=list[AssetOut])
@paginate(LimitOffsetPagination)
def list_assets(request: HttpRequest, filters: Query[AssetFilters]) -> QuerySet[Asset]:
    who = reader(request)
    return _filtered(Asset.objects.visible_to(who.user), filters).order_by("name", "pk")


def _links(client: Any, fields: dict[str, Any]) -> dict[str, Any]:
    if "site_id" in fields:
        fields["site"] = related(Site, client, fields.pop("site_id"), "site_id")
    if "owner_id" in fields:
        fields["owner"] = related(Contact, client, fields.pop("owner_id"), "owner_id")
    return fields


@router.post("/assets", response={201: AssetOut})
def create_asset(request: HttpRequest, payload: AssetIn) -> Status[Asset]:
    who = staff_writer(request)
    fields = payload.dict()
    client = visible_client(who, fields.pop("client_id"))
    return Status(201, services.create_asset(client, **_links(client, fields)))


class ImportRowError(Schema):
    row: int
    field: str
    reason: str


class ImportOut(Schema):
    created: int
    updated: int
    errors: list[ImportRowError]


CSV_DOC: dict[str, Any] = {
    "requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}}
}


@router.post("/assets/import", response=ImportOut, openapi_extra=CSV_DOC)
def import_assets_csv(request: HttpRequest, client_id: ObjectId) -> dict[str, Any]:
    """Assets from a CSV body (``text/csv``); see steward/monitoring/importing.py for the
    columns. Answers the rows created and updated and each bad row's field and reason."""
    who = staff_writer(request)
    client = visible_client(who, client_id)
    if request.content_type != "text/csv":
        raise HttpError(415, "send the file as text/csv")
    data = request.read(MAX_CSV_BYTES + 1)
    if len(data) > MAX_CSV_BYTES:
        raise HttpError(413, f"the file is over {MAX_CSV_BYTES} bytes (at most {MAX_ROWS} rows)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise HttpError(422, f"the file is not UTF-8 (byte {error.start})") from None
    report = import_assets(client, text)
    errors = [{"row": e.row, "field": e.field, "reason": e.reason} for e in report.errors]
    return {"created": report.created, "updated": report.updated, "errors": errors}


@router.get("/assets/{asset_id}", response=AssetOut)
def get_asset(request: HttpRequest, asset_id: ObjectId) -> Asset:
    return visible(Asset, reader(request), asset_id)


@router.patch("/assets/{asset_id}", response=AssetOut)
def update_asset(request: HttpRequest, asset_id: ObjectId, payload: AssetPatch) -> Asset:
    asset = visible(Asset, staff_writer(request), asset_id)
    changes = _links(asset.client, payload.dict(exclude_unset=True))
    return services.update_asset(asset, changes)


@router.delete("/assets/{asset_id}", response={204: None})
def delete_asset(request: HttpRequest, asset_id: ObjectId) -> Status[None]:
    services.delete_asset(visible(Asset, staff_writer(request), asset_id))
    return Status(204, None)


@router.get("/assets/{asset_id}/facts", response=list[FactOut])
def list_facts(request: HttpRequest, asset_id: ObjectId) -> QuerySet[AssetFact]:
    asset = visible(Asset, reader(request), asset_id)
    return asset.facts.order_by("name")
