"""What every notify page shares: staff only, lookups through ``visible_to``, the nav."""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from steward.tenancy.roles import CHANGE_CLIENTS
from steward.tenancy.scoping import is_active_staff

M = TypeVar("M", bound=Model)


def may_configure(user: Any) -> bool:
    """Owners, admins, service and account managers set up channels, policies, templates."""
    return is_active_staff(user) and (user.is_superuser or user.has_role_permission(CHANGE_CLIENTS))


def require_staff(request: HttpRequest) -> None:
    if not is_active_staff(request.user):
        raise PermissionDenied("notifications are for MSP staff")


def require_configure(request: HttpRequest) -> None:
    if not may_configure(request.user):
        raise PermissionDenied("only owners, admins and managers change notifications")


def visible(model: type[M], request: HttpRequest, pk: int) -> M:
    require_staff(request)
    manager: Any = model._default_manager
    return get_object_or_404(manager.visible_to(request.user), pk=pk)  # type: ignore[no-any-return]


def add_errors(form: Any, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def page(request: HttpRequest, template: str, status: int = 200, **context: Any) -> HttpResponse:
    context = {"nav_active": "notify", "can_configure": may_configure(request.user), **context}
    return render(request, template, context, status=status)
