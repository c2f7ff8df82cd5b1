"""Obligations, scorecards and the measure registry under /api/v1/."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status

from steward.api.auth import Principal, require
from steward.obligations import services
from steward.obligations.models import Obligation, VendorProgram
from steward.obligations.periods import Period, PeriodError
from steward.obligations.registry import registry
from steward.obligations.schemas import (
    MeasureOut,
    ObligationFilter,
    ObligationIn,
    ObligationOut,
    ObligationPatch,
    PortfolioOut,
    ScorecardOut,
)
from steward.obligations.scorecard import client_scorecard, portfolio
from steward.tenancy.choices import TokenScope
from steward.tenancy.models import Client
from steward.tenancy.roles import CHANGE_CLIENTS, STAFF_ROLES, VIEW_CLIENTS

router = Router(tags=["obligations"])
READ, WRITE = TokenScope.READ, TokenScope.WRITE


def parse_period(text: str | None, client: Client | None = None) -> Period:
    """The ``period`` query parameter; the current month (in the client's zone) when absent."""
    if not text:
        return Period.at(timezone.now(), client.timezone if client else "UTC")
    try:
        return Period.parse(text)
    except PeriodError as exc:
        raise NinjaValidationError([{"loc": ["query", "period"], "msg": str(exc)}]) from None


def _client(who: Principal, client_id: int) -> Client:
    return get_object_or_404(Client.objects.visible_to(who.user), pk=client_id)


def _counterparty(who: Principal, payload: dict[str, Any]) -> dict[str, Any]:
    """Resolve client_id / vendor_program_id to rows the caller may use; 422 names the field."""
    client_id, program_id = payload.pop("client_id", None), payload.pop("vendor_program_id", None)
    if (client_id is None) == (program_id is None):
        raise HttpError(422, "client_id: give exactly one of client_id and vendor_program_id")
    if client_id is not None:
        client = Client.objects.visible_to(who.user).filter(pk=client_id).first()
        if client is None:
            raise HttpError(422, "client_id: no such client")
        return {**payload, "client": client}
    program = VendorProgram.objects.filter(pk=program_id).first()
    if program is None or not (who.user.is_superuser or who.user.role in STAFF_ROLES):
        raise HttpError(422, "vendor_program_id: no such vendor program")
    return {**payload, "vendor_program": program}


@router.get("/measures", response=list[MeasureOut])
def list_measures(request: HttpRequest) -> list[dict[str, Any]]:
    require(request, scope=READ, permission=VIEW_CLIENTS)
    return [{**vars(m), "params": dict(m.params)} for m in registry.all()]


@router.get("/obligations", response=list[ObligationOut])
@paginate(LimitOffsetPagination)
def list_obligations(
    request: HttpRequest, filters: Query[ObligationFilter]
) -> QuerySet[Obligation]:
    who = require(request, scope=READ, permission=VIEW_CLIENTS)
    rows = Obligation.objects.visible_to(who.user).order_by("client_id", "category", "name", "pk")
    for name, value in filters.dict(exclude_none=True).items():
        rows = rows.filter(**{name: value})
    return rows


@router.post("/obligations", response={201: ObligationOut})
def create_obligation(request: HttpRequest, payload: ObligationIn) -> Status[Obligation]:
    who = require(request, scope=WRITE, permission=CHANGE_CLIENTS)
    return Status(201, services.create_obligation(**_counterparty(who, payload.dict())))


@router.post("/clients/{client_id}/obligations/defaults", response={201: list[ObligationOut]})
def create_default_obligations(request: HttpRequest, client_id: int) -> Status[list[Obligation]]:
    """Add the default obligation set to a client (skipping promises it already has)."""
    who = require(request, scope=WRITE, permission=CHANGE_CLIENTS)
    return Status(201, services.create_default_obligations(_client(who, client_id)))


def _obligation(request: HttpRequest, obligation_id: int, *, scope: str, perm: str) -> Obligation:
    who = require(request, scope=scope, permission=perm)
    return get_object_or_404(Obligation.objects.visible_to(who.user), pk=obligation_id)


@router.get("/obligations/{obligation_id}", response=ObligationOut)
def get_obligation(request: HttpRequest, obligation_id: int) -> Obligation:
    return _obligation(request, obligation_id, scope=READ, perm=VIEW_CLIENTS)


@router.patch("/obligations/{obligation_id}", response=ObligationOut)
def update_obligation(
    request: HttpRequest, obligation_id: int, payload: ObligationPatch
) -> Obligation:
    obligation = _obligation(request, obligation_id, scope=WRITE, perm=CHANGE_CLIENTS)
    return services.update_obligation(obligation, payload.dict(exclude_unset=True))


@router.delete("/obligations/{obligation_id}", response={204: None})
def delete_obligation(request: HttpRequest, obligation_id: int) -> Status[None]:
    obligation = _obligation(request, obligation_id, scope=WRITE, perm=CHANGE_CLIENTS)
    try:
        services.delete_obligation(obligation)
    except services.ObligationHasHistory as exc:
        raise HttpError(409, str(exc)) from None
    return Status(204, None)


@router.get("/clients/{client_id}/scorecard", response=ScorecardOut)
def get_scorecard(request: HttpRequest, client_id: int, period: str | None = None) -> Any:
    """Every active obligation of the client for ``period`` (YYYY-MM or YYYY-Qn; default: the
    current month), grouped by area, with value, target, status, trend and evidence."""
    who = require(request, scope=READ, permission=VIEW_CLIENTS)
    client = _client(who, client_id)
    return client_scorecard(client, parse_period(period, client)).as_dict()


@router.get("/scorecards", response=PortfolioOut)
def get_portfolio(request: HttpRequest, period: str | None = None) -> Any:
    """Every client the caller sees, with the worst status per area for ``period``."""
    who = require(request, scope=READ, permission=VIEW_CLIENTS)
    chosen = parse_period(period)
    clients = Client.objects.visible_to(who.user).order_by("name", "pk")
    return {"period": chosen.key, "clients": [r.as_dict() for r in portfolio(clients, chosen)]}
