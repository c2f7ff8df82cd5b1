"""Who may do what in monitoring's user API, and finding a visible object or a 404."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja.errors import HttpError

from steward.api.auth import Principal, require
from steward.tenancy.choices import TokenScope
from steward.tenancy.models import Client
from steward.tenancy.roles import VIEW_CLIENTS
from steward.tenancy.scoping import is_active_staff

M = TypeVar("M", bound=Model)


def reader(request: HttpRequest) -> Principal:
    """Anyone who may see clients reads what belongs to the clients they see."""
    return require(request, scope=TokenScope.READ, permission=VIEW_CLIENTS)


def staff_writer(request: HttpRequest) -> Principal:
    """Monitoring is configured by MSP staff; client contacts read only."""
    who = require(request, scope=TokenScope.WRITE, permission=VIEW_CLIENTS)
    if not is_active_staff(who.user):
        raise HttpError(403, "only MSP staff may change monitoring")
    return who


def visible(model: type[M], who: Principal, pk: int) -> M:
    manager: Any = model._default_manager
    return get_object_or_404(manager.visible_to(who.user), pk=pk)  # type: ignore[no-any-return]


def visible_client(who: Principal, client_id: int) -> Client:
    return get_object_or_404(Client.objects.visible_to(who.user), pk=client_id)


def related(model: type[M], client: Client, pk: int | None, field: str) -> M | None:
    """An object of ``client`` named by a body field, or a 422 naming the field."""
    if pk is None:
        return None
    try:
        return get_object_or_404(model._default_manager.filter(client=client), pk=pk)
    except Http404:
        raise HttpError(
            422, f"{field}: no such {model._meta.verbose_name} at this client"
        ) from None
