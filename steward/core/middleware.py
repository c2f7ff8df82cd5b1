from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from steward.core.audit import acting_as
from steward.core.choices import AuditSource


def source_for_path(path: str) -> str:
    if path.startswith("/api/"):
        return AuditSource.API
    if path.startswith("/admin/"):
        return AuditSource.ADMIN
    return AuditSource.UI


class AuditContextMiddleware:
    """Attributes audited changes made while serving a request to its user and entry point.

    API requests authenticated by bearer token re-attribute themselves in the API's auth class.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with acting_as(getattr(request, "user", None), source_for_path(request.path)):
            return self.get_response(request)
