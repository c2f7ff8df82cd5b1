"""Helpers for the API tests: JSON calls with a bearer token, and audit lookups."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client as HttpClient

from steward.core.models import AuditEntry

V1 = "/api/v1"


def send(http: HttpClient, method: str, path: str, body: Any = None) -> Any:
    """One JSON request to /api/v1``path``."""
    if body is None:
        return http.generic(method, V1 + path)
    return http.generic(method, V1 + path, json.dumps(body), content_type="application/json")


def last_audit(object_type: str, **filters: Any) -> AuditEntry:
    entry = AuditEntry.objects.filter(object_type=object_type, **filters).order_by("-seq").first()
    assert entry is not None, f"no audit entry for {object_type} {filters}"
    return entry


def error_fields(response: Any) -> list[str]:
    """The field names a 4xx names in ``detail`` (pydantic's loc or Django's field errors)."""
    detail = response.json()["detail"]
    if isinstance(detail, str):
        return [detail.split(":", 1)[0]]
    return [str(item["loc"][-1]) for item in detail]
