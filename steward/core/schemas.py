from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import Field

from steward.core.validation import MAX_ID


class HealthOut(Schema):
    status: str
    database: str
    version: str


class AuditEntryOut(Schema):
    seq: int
    at: datetime
    actor_id: int | None
    actor_name: str
    source: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    client_id: int | None
    before: Any
    after: Any
    hash: str


class AuditFilter(Schema):
    actor: str | None = None
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    client_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    source: str | None = None
    since: datetime | None = None
    until: datetime | None = None
