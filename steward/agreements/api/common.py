"""Lookups shared by the agreements routers: every object through ``visible_to``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja.errors import HttpError

from steward.api.auth import Principal, require
from steward.tenancy.choices import TokenScope
from steward.tenancy.models import Client
from steward.tenancy.roles import CHANGE_CLIENTS, VIEW_CLIENTS

M = TypeVar("M", bound=models.Model)


def reader(request: HttpRequest) -> Principal:
    return require(request, scope=TokenScope.READ, permission=VIEW_CLIENTS)


def writer(request: HttpRequest) -> Principal:
    return require(request, scope=TokenScope.WRITE, permission=CHANGE_CLIENTS)


def visible(who: Principal, model: type[M], pk: int, **related: Any) -> M:
    """The object ``pk`` of ``model`` if ``who`` may see it, else 404."""
    rows = model._default_manager.visible_to(who.user)  # type: ignore[attr-defined]
    if related:
        rows = rows.select_related(*related)
    return get_object_or_404(rows, pk=pk)  # type: ignore[no-any-return]


def client_for(who: Principal, client_id: int, field: str = "client_id") -> Client:
    """A client named in a request body; 422 naming the field when the caller cannot see it."""
    client = Client.objects.visible_to(who.user).filter(pk=client_id).first()
    if client is None:
        raise HttpError(422, f"{field}: no such client")
    return client


@contextmanager
def fields_renamed(names: dict[str, str]) -> Iterator[None]:
    """Re-raise validation errors under the API's field names (``included_offerings`` is
    ``included_offering_ids`` in a request body)."""
    try:
        yield
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        raise ValidationError(
            {names.get(field, field): errors for field, errors in exc.error_dict.items()}
        ) from None


def ids_of(queryset: models.QuerySet[M], ids: list[int], field: str) -> list[M]:
    """The rows with ``ids``; 422 naming the field when one is missing."""
    found = list(queryset.filter(pk__in=ids))
    missing = sorted(set(ids) - {row.pk for row in found})
    if missing:
        raise HttpError(422, f"{field}: no such object {missing}")
    return found
