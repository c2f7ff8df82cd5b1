"""Agreements, statements of work, the service catalog and licenses."""

from typing import Any

from django.db import transaction
from django.db.models import F, QuerySet
from django.http import HttpRequest
from ninja import Router
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status

from steward.agreements import services
from steward.agreements.api.common import (
    client_for,
    fields_renamed,
    ids_of,
    reader,
    visible,
    writer,
)
from steward.agreements.choices import AssignmentStatus
from steward.agreements.models import Agreement, License, ServiceOffering, StatementOfWork
from steward.agreements.schemas import (
    AgreementIn,
    AgreementOut,
    AgreementPatch,
    LicenseIn,
    LicenseOut,
    LicensePatch,
    OfferingIn,
    OfferingOut,
    SeatsIn,
    SowIn,
    SowOut,
    SowPatch,
)
from steward.api.params import ObjectId

router = Router()

# --- Catalog ------------------------------------------------------------------------------------


@router.get("/service-offerings", response=list[OfferingOut])
@paginate(LimitOffsetPagination)
def list_offerings(request: HttpRequest) -> QuerySet[ServiceOffering]:
    reader(request)
    return ServiceOffering.objects.prefetch_related("categories").order_by("name", "pk")


@router.post("/service-offerings", response={201: OfferingOut})
def create_offering(request: HttpRequest, payload: OfferingIn) -> Status[ServiceOffering]:
    writer(request)
    fields = payload.dict()
    categories = fields.pop("categories")
    with transaction.atomic():
        offering = services.create_offering(**fields)
        for category in categories:
            services.create_category(offering, **category)
    return Status(201, offering)


# --- Agreements ---------------------------------------------------------------------------------


@router.get("/agreements", response=list[AgreementOut])
@paginate(LimitOffsetPagination)
def list_agreements(request: HttpRequest, client_id: ObjectId | None = None) -> QuerySet[Agreement]:
    who = reader(request)
    rows = Agreement.objects.visible_to(who.user).order_by("client_id", "start_date", "pk")
    return rows.filter(client_id=client_id) if client_id else rows


@router.post("/agreements", response={201: AgreementOut})
def create_agreement(request: HttpRequest, payload: AgreementIn) -> Status[Agreement]:
    who = writer(request)
    fields = payload.dict()
    client = client_for(who, fields.pop("client_id"))
    if fields["timezone"] is None:
        del fields["timezone"]
    return Status(201, services.create_agreement(client, **fields))


@router.get("/agreements/{agreement_id}", response=AgreementOut)
def get_agreement(request: HttpRequest, agreement_id: ObjectId) -> Agreement:
    return visible(reader(request), Agreement, agreement_id)


@router.patch("/agreements/{agreement_id}", response=AgreementOut)
def update_agreement(
    request: HttpRequest, agreement_id: ObjectId, payload: AgreementPatch
) -> Agreement:
    agreement = visible(writer(request), Agreement, agreement_id)
    return services.update_agreement(agreement, payload.dict(exclude_unset=True))


@router.delete("/agreements/{agreement_id}", response={204: None})
def delete_agreement(request: HttpRequest, agreement_id: ObjectId) -> Status[None]:
    services.delete_agreement(visible(writer(request), Agreement, agreement_id))
    return Status(204, None)


# --- Statements of work -------------------------------------------------------------------------


SCOPE_FIELDS = {
    "included_offerings": "included_offering_ids",
    "excluded_offerings": "excluded_offering_ids",
}


def _scope(fields: dict[str, Any]) -> dict[str, Any]:
    scope: dict[str, Any] = {}
    for key, name in (("included_offering_ids", "included"), ("excluded_offering_ids", "excluded")):
        if key in fields:
            ids = fields.pop(key)
            scope[name] = None if ids is None else ids_of(ServiceOffering.objects.all(), ids, key)
    return scope


@router.get("/agreements/{agreement_id}/sows", response=list[SowOut])
@paginate(LimitOffsetPagination)
def list_sows(request: HttpRequest, agreement_id: ObjectId) -> QuerySet[StatementOfWork]:
    agreement = visible(reader(request), Agreement, agreement_id)
    rows = agreement.sows.select_related("agreement")
    return rows.prefetch_related("included_offerings", "excluded_offerings").order_by("pk")


@router.post("/agreements/{agreement_id}/sows", response={201: SowOut})
def create_sow(
    request: HttpRequest, agreement_id: ObjectId, payload: SowIn
) -> Status[StatementOfWork]:
    agreement = visible(writer(request), Agreement, agreement_id)
    fields = payload.dict()
    scope = _scope(fields)
    with fields_renamed(SCOPE_FIELDS):
        return Status(201, services.create_sow(agreement, **scope, **fields))


@router.get("/sows/{statement_of_work_id}", response=SowOut)
def get_sow(request: HttpRequest, statement_of_work_id: ObjectId) -> StatementOfWork:
    return visible(reader(request), StatementOfWork, statement_of_work_id, agreement=True)


@router.patch("/sows/{statement_of_work_id}", response=SowOut)
def update_sow(
    request: HttpRequest, statement_of_work_id: ObjectId, payload: SowPatch
) -> StatementOfWork:
    sow = visible(writer(request), StatementOfWork, statement_of_work_id, agreement=True)
    changes = payload.dict(exclude_unset=True)
    scope = _scope(changes)
    with fields_renamed(SCOPE_FIELDS):
        return services.update_sow(sow, changes, **scope)


@router.delete("/sows/{statement_of_work_id}", response={204: None})
def delete_sow(request: HttpRequest, statement_of_work_id: ObjectId) -> Status[None]:
    services.delete_sow(visible(writer(request), StatementOfWork, statement_of_work_id))
    return Status(204, None)


# --- Licenses -----------------------------------------------------------------------------------


@router.get("/licenses", response=list[LicenseOut])
@paginate(LimitOffsetPagination)
def list_licenses(
    request: HttpRequest,
    client_id: ObjectId | None = None,
    assignment: AssignmentStatus | None = None,
) -> QuerySet[License]:
    """``assignment`` = over / under / ok filters by the seat flags."""
    who = reader(request)
    rows = License.objects.visible_to(who.user).order_by("client_id", "vendor", "product", "pk")
    if client_id:
        rows = rows.filter(client_id=client_id)
    if assignment == AssignmentStatus.OVER:
        rows = rows.filter(assigned_seats__gt=F("seats"))
    elif assignment == AssignmentStatus.UNDER:
        rows = rows.filter(assigned_seats__lt=F("seats"))
    elif assignment == AssignmentStatus.OK:
        rows = rows.filter(assigned_seats=F("seats"))
    return rows


@router.post("/licenses", response={201: LicenseOut})
def create_license(request: HttpRequest, payload: LicenseIn) -> Status[License]:
    who = writer(request)
    fields = payload.dict()
    client = client_for(who, fields.pop("client_id"))
    agreement_id = fields.pop("agreement_id")
    if agreement_id is not None:
        fields["agreement"] = client.agreements.filter(pk=agreement_id).first()
        if fields["agreement"] is None:
            raise HttpError(422, "agreement_id: no such agreement of this client")
    return Status(201, services.create_license(client, **fields))


@router.get("/licenses/{license_id}", response=LicenseOut)
def get_license(request: HttpRequest, license_id: ObjectId) -> License:
    return visible(reader(request), License, license_id)


@router.patch("/licenses/{license_id}", response=LicenseOut)
def update_license(request: HttpRequest, license_id: ObjectId, payload: LicensePatch) -> License:
    lic = visible(writer(request), License, license_id)
    return services.update_license(lic, payload.dict(exclude_unset=True))


@router.put("/licenses/{license_id}/assigned-seats", response=LicenseOut)
def set_assigned_seats(request: HttpRequest, license_id: ObjectId, payload: SeatsIn) -> License:
    """Record how many seats are in use (over- and under-assignment follow)."""
    lic = visible(writer(request), License, license_id)
    return services.set_assigned_seats(lic, payload.assigned_seats)


@router.delete("/licenses/{license_id}", response={204: None})
def delete_license(request: HttpRequest, license_id: ObjectId) -> Status[None]:
    services.delete_license(visible(writer(request), License, license_id))
    return Status(204, None)
