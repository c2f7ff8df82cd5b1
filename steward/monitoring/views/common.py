"""What every monitoring page shares: who may change things, lookups that start at
``visible_to(request.user)`` (another client's object is a 404), rendering with the nav."""

from __future__ import annotations

from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from steward.tenancy.choices import Role
from steward.tenancy.models import Client
from steward.tenancy.scoping import is_active_staff

M = TypeVar("M", bound=Model)
NAV = {"nav_active": "monitoring"}


def may_configure(user: Any) -> bool:
    """MSP staff configure monitoring; auditors and client contacts only read."""
    return is_active_staff(user) and (user.is_superuser or user.role != Role.AUDITOR)


def require_configure(request: HttpRequest) -> None:
    if not may_configure(request.user):
        raise PermissionDenied("only MSP staff may change monitoring")


def visible(model: type[M], request: HttpRequest, pk: int) -> M:
    manager: Any = model._default_manager
    return get_object_or_404(manager.visible_to(request.user), pk=pk)  # type: ignore[no-any-return]


def visible_client(request: HttpRequest, client_id: int) -> Client:
    return get_object_or_404(Client.objects.visible_to(request.user), pk=client_id)


def client_zone(client: Client) -> ZoneInfo:
    try:
        return ZoneInfo(client.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def add_errors(form: Any, exc: ValidationError, renames: dict[str, str] | None = None) -> None:
    """Put a service's errors on the form's fields (the form itself when it has no such field);
    ``renames`` maps a service's field name to the form's."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        target = (renames or {}).get(name, name)
        form.add_error(target if target in form.fields else None, errors)


def page(request: HttpRequest, template: str, status: int = 200, **context: Any) -> HttpResponse:
    context = {**NAV, "can_configure": may_configure(request.user), **context}
    return render(request, template, context, status=status)


def htmx_target(request: HttpRequest) -> str | None:
    """The element an htmx request will swap (None for a plain request)."""
    htmx: Any = getattr(request, "htmx", None)
    return str(htmx.target) if htmx and htmx.target else None
