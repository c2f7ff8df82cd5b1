"""Sending batches through the real HTTP stack (Django's test client, the full middleware and
API), gzip-compressed as collectors send them."""

from __future__ import annotations

import gzip
import json
import uuid
from dataclasses import dataclass
from typing import Any

from django.test import Client as HttpClient
from django.test.client import Client

from steward.monitoring.models import Check, Collector
from steward.monitoring.services import create_check, create_collector
from steward.tenancy.models import Client as Tenant

INGEST = "/api/v1/ingest"


@dataclass
class Sender:
    collector: Collector
    token: str

    def post(self, payload: Any, *, compress: bool = True, **headers: str) -> Any:
        return post(self.token, payload, compress=compress, **headers)

    def http_check(self, name: str = "portal", **params: Any) -> Check:
        return create_check(
            self.collector.client,
            collector=self.collector,
            type="http",
            name=name,
            params={"url": "https://portal.example.com/", **params},
        )


def make_sender(client: Tenant, kind: str, name: str) -> Sender:
    collector, token = create_collector(client, kind=kind, name=name)
    return Sender(collector, token)


def post(token: str, payload: Any, *, compress: bool = True, **headers: str) -> Any:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    extra = {"Authorization": f"Bearer {token}", **headers}
    content_type = extra.pop("Content-Type", "application/json")
    if compress:
        body = gzip.compress(body)
        extra.setdefault("Content-Encoding", "gzip")
    http: Client = HttpClient(headers=extra)
    return http.post(INGEST, body, content_type=content_type)


def batch(**sections: Any) -> dict[str, Any]:
    return {"batch_id": str(uuid.uuid4()), "sent_at": "2026-11-29T12:00:00Z", **sections}
