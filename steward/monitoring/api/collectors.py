"""Collectors and agents under /api/v1/: list, read, create (the token is in that answer
only), revoke."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status

from steward.api.params import ObjectId
from steward.monitoring import services
from steward.monitoring.api.common import reader, related, staff_writer, visible, visible_client
from steward.monitoring.models import Collector
from steward.monitoring.schemas import (
    CollectorCreated,
    CollectorFilters,
    CollectorIn,
    CollectorOut,
)
from steward.tenancy.models import Site

router = Router(tags=["collectors"])


@router.get("/collectors", response=list[CollectorOut])
@paginate(LimitOffsetPagination)
def list_collectors(request: HttpRequest, filters: Query[CollectorFilters]) -> QuerySet[Collector]:
    collectors = Collector.objects.visible_to(reader(request).user)
    if filters.client_id is not None:
        collectors = collectors.filter(client_id=filters.client_id)
    return collectors.order_by("name", "pk")


@router.post("/collectors", response={201: CollectorCreated})
def create_collector(request: HttpRequest, payload: CollectorIn) -> Status[dict[str, Any]]:
    who = staff_writer(request)
    client = visible_client(who, payload.client_id)
    site = related(Site, client, payload.site_id, "site_id")
    collector, token = services.create_collector(
        client, kind=payload.kind, name=payload.name, site_id=site.pk if site else None
    )
    out = CollectorOut.from_orm(collector).dict()
    return Status(201, out | {"token": token})


@router.get("/collectors/{collector_id}", response=CollectorOut)
def get_collector(request: HttpRequest, collector_id: ObjectId) -> Collector:
    return visible(Collector, reader(request), collector_id)


@router.post("/collectors/{collector_id}/revoke", response=CollectorOut)
def revoke_collector(request: HttpRequest, collector_id: ObjectId) -> Collector:
    """Revoke the token: the collector's next request is refused (401)."""
    return services.revoke_collector(visible(Collector, staff_writer(request), collector_id))
