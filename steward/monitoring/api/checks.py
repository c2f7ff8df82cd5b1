"""Checks under /api/v1/: list, read, create, change, delete. Secrets in ``params`` are
write-only: answers name which are set (``secrets_set``), never their values."""

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status

from steward.api.params import ObjectId
from steward.monitoring import services
from steward.monitoring.api.common import reader, related, staff_writer, visible, visible_client
from steward.monitoring.models import Asset, Check, CheckResult, Collector
from steward.monitoring.schemas import CheckFilters, CheckIn, CheckOut, CheckPatch, ResultOut

router = Router(tags=["checks"])


@router.get("/checks", response=list[CheckOut])
@paginate(LimitOffsetPagination)
def list_checks(request: HttpRequest, filters: Query[CheckFilters]) -> QuerySet[Check]:
    checks = Check.objects.visible_to(reader(request).user).select_related("current")
    exact = filters.dict()
    return checks.filter(**{k: v for k, v in exact.items() if v is not None}).order_by("name", "pk")


def _check(request: HttpRequest, check_id: int, *, write: bool) -> Check:
    who = staff_writer(request) if write else reader(request)
    return visible(Check, who, check_id)


@router.post("/checks", response={201: CheckOut})
def create_check(request: HttpRequest, payload: CheckIn) -> Status[Check]:
    who = staff_writer(request)
    collector = visible(Collector, who, payload.collector_id)
    fields = payload.dict()
    fields.pop("collector_id")
    client_id = fields.pop("client_id")
    if collector.client is not None:
        client = collector.client
        if client_id not in (None, client.pk):
            raise HttpError(422, "client_id: the collector belongs to another client")
    elif client_id is None:
        raise HttpError(422, "client_id: required with a hosted collector")
    else:
        client = visible_client(who, client_id)
    fields["asset"] = related(Asset, client, fields.pop("asset_id"), "asset_id")
    check = services.create_check(client, collector=collector, **fields)
    return Status(201, check)


@router.get("/checks/{check_id}", response=CheckOut)
def get_check(request: HttpRequest, check_id: ObjectId) -> Check:
    return _check(request, check_id, write=False)


@router.patch("/checks/{check_id}", response=CheckOut)
def update_check(request: HttpRequest, check_id: ObjectId, payload: CheckPatch) -> Check:
    check = _check(request, check_id, write=True)
    changes = payload.dict(exclude_unset=True)
    if "asset_id" in changes:
        changes["asset"] = related(Asset, check.client, changes.pop("asset_id"), "asset_id")
    return services.update_check(check, changes)


@router.delete("/checks/{check_id}", response={204: None})
def delete_check(request: HttpRequest, check_id: ObjectId) -> Status[None]:
    services.delete_check(_check(request, check_id, write=True))
    return Status(204, None)


@router.get("/checks/{check_id}/results", response=list[ResultOut])
@paginate(LimitOffsetPagination)
def list_results(request: HttpRequest, check_id: ObjectId) -> QuerySet[CheckResult]:
    """The check's results, newest first (kept for STEWARD_MONITORING_RESULT_DAYS)."""
    check = _check(request, check_id, write=False)
    return check.results.order_by("-at", "-pk")
