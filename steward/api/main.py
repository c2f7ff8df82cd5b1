"""The API under /api/v1/: one NinjaAPI, each app contributing its router from <app>/api.py."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from steward.agreements.api import router as agreements_router
from steward.api.audit import router as audit_router
from steward.api.auth import SessionAuth, TokenAuth
from steward.api.errors import unstorable_fields
from steward.core.api import router as core_router
from steward.monitoring.api import router as monitoring_router
from steward.notify.api import router as notify_router
from steward.obligations.api import router as obligations_router
from steward.servicedesk.api import router as servicedesk_router
from steward.tenancy.api import router as tenancy_router

api = NinjaAPI(
    title="Steward API",
    version="1",
    description="Operations platform for MSPs. Authenticate with `Authorization: Bearer <token>`.",
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
)


def _field_errors(exc: DjangoValidationError) -> list[dict[str, object]]:
    if hasattr(exc, "error_dict"):
        return [
            {"loc": ["body", field], "msg": "; ".join(m for err in errs for m in err.messages)}
            for field, errs in exc.error_dict.items()
        ]
    return [{"loc": ["body"], "msg": "; ".join(exc.messages)}]


UNIQUE_CODES = frozenset({"unique", "unique_together"})


def _only_uniqueness(exc: DjangoValidationError) -> bool:
    """True when every error says a unique value is taken: a conflict, not bad input."""
    errors = [e for errs in getattr(exc, "error_dict", {}).values() for e in errs]
    return bool(errors) and all(e.code in UNIQUE_CODES for e in errors)


@api.exception_handler(DjangoValidationError)
def on_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    status = 409 if _only_uniqueness(exc) else 422
    return api.create_response(request, {"detail": _field_errors(exc)}, status=status)


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "forbidden"}, status=403)


@api.exception_handler(IntegrityError)
def on_integrity_error(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
    culprits = unstorable_fields(request)
    if culprits:
        return api.create_response(request, {"detail": culprits}, status=422)
    return api.create_response(
        request, {"detail": "conflicts with existing data (a unique value is taken)"}, status=409
    )


@api.exception_handler(OverflowError)
@api.exception_handler(UnicodeEncodeError)
@api.exception_handler(DataError)
def on_unstorable_value(request: HttpRequest, exc: Exception) -> HttpResponse:
    # A backstop: a value the database cannot store must never become a 500.
    culprits = unstorable_fields(request) or [
        {"loc": ["request"], "msg": "a value cannot be stored"}
    ]
    return api.create_response(request, {"detail": culprits}, status=422)


api.add_router("", core_router)
api.add_router("", tenancy_router)
api.add_router("", audit_router)
api.add_router("", obligations_router)
api.add_router("", agreements_router)
api.add_router("", servicedesk_router)
api.add_router("", monitoring_router)
api.add_router("", notify_router)
