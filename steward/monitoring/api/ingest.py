"""``POST /api/v1/ingest`` and ``GET /api/v1/ingest/assignments`` (docs/ingest.md).

Senders authenticate with their own collector or agent token (``stc_…`` / ``sta_…``), never a
user's. Every refusal of a whole batch is a JSON ``{"detail": …}`` with the status the contract
names; bad items inside a good batch are answered 200 with their errors.

Settings (defaults in brackets): STEWARD_MONITORING_INGEST_MAX_BYTES [10 MiB, the body as
sent], STEWARD_MONITORING_INGEST_MAX_DECOMPRESSED_BYTES [64 MiB], STEWARD_MONITORING_INGEST_RATE
[50 batches a second per sender] and STEWARD_MONITORING_INGEST_BURST [100].
"""

import gc
import hashlib
import json
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from ninja import Router

from steward.monitoring.models import Collector
from steward.monitoring.ratelimit import allow
from steward.monitoring.services import authenticate_collector, ingest
from steward.monitoring.services.batch import BatchRejected, validate_batch

router = Router(tags=["ingest"])

MiB = 1024 * 1024


def _setting(name: str, default: float) -> float:
    return float(getattr(settings, f"STEWARD_MONITORING_{name}", default))


class Refused(Exception):
    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.headers = status, detail, headers or {}

    def response(self) -> HttpResponse:
        answer = JsonResponse({"detail": self.detail}, status=self.status)
        for name, value in self.headers.items():
            answer[name] = value
        return answer


def _sender(request: HttpRequest) -> Collector:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    collector = authenticate_collector(token.strip()) if scheme.lower() == "bearer" else None
    if collector is None:
        raise Refused(
            401,
            "a valid collector or agent token is required (Authorization: Bearer stc_… or sta_…)",
            {"WWW-Authenticate": "Bearer"},
        )
    return collector


def _rate_limit(collector: Collector) -> None:
    decision = allow(
        f"steward:monitoring:ingest-bucket:{collector.pk}",
        time.time(),
        rate=_setting("INGEST_RATE", 50),
        burst=_setting("INGEST_BURST", 100),
    )
    if not decision.allowed:
        raise Refused(
            429,
            f"too many batches from this sender; retry in {decision.retry_after_s} s",
            {"Retry-After": str(decision.retry_after_s)},
        )


def _gunzip(data: bytes, limit: int) -> bytes:
    inflater = zlib.decompressobj(wbits=31)  # 31: a gzip header and trailer
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error:
        raise Refused(415, "Content-Encoding says gzip but the body is not gzip") from None
    if len(out) > limit or inflater.unconsumed_tail:
        raise Refused(413, f"the decompressed body is over {limit} bytes")
    if not inflater.eof:
        raise Refused(415, "the gzip body is truncated")
    return out


def read_payload(request: HttpRequest) -> Any:
    """The decoded JSON of the request body, or a ``Refused`` saying why not."""
    kind = request.content_type or ""
    if kind not in ("application/json", ""):
        raise Refused(415, f"Content-Type must be application/json, not {kind}")
    encoding = request.headers.get("Content-Encoding", "identity").strip().lower()
    if encoding not in ("gzip", "identity", ""):
        raise Refused(415, f"Content-Encoding must be gzip or none, not {encoding}")
    limit = int(_setting("INGEST_MAX_BYTES", 10 * MiB))
    declared = request.headers.get("Content-Length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise Refused(413, f"the body is over {limit} bytes")
    # Read from the stream, not request.body: Django's own cap on bodies (2.5 MB) is not ours.
    data = request.read(limit + 1)
    if len(data) > limit:
        raise Refused(413, f"the body is over {limit} bytes")
    if encoding == "gzip":
        data = _gunzip(data, int(_setting("INGEST_MAX_DECOMPRESSED_BYTES", 64 * MiB)))
    try:
        return json.loads(data)
    except (ValueError, RecursionError):
        raise Refused(415, "the body is not JSON") from None


BATCH_DOC: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"type": "object"}}},
    },
}


@contextmanager
def collection_paused() -> Iterator[None]:
    """No cyclic garbage collection while a batch is decoded and stored.

    A batch makes tens of thousands of small objects (none of them cyclic), which starts
    collections of the whole heap again and again: measured, six times the cost of the JSON
    decoding itself (bench/ingest.py). Collection resumes after the batch, whichever thread
    paused it first.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@router.post("/ingest", auth=None, openapi_extra=BATCH_DOC, summary="Send a batch")
def post_batch(request: HttpRequest) -> HttpResponse:
    """A batch of results, samples, assets and facts from a collector or agent."""
    with collection_paused():
        return _post_batch(request)


def _post_batch(request: HttpRequest) -> HttpResponse:
    try:
        collector = _sender(request)
        _rate_limit(collector)
        payload = read_payload(request)
        try:
            batch = validate_batch(payload)
        except BatchRejected as error:
            raise Refused(422, str(error)) from None
    except Refused as refused:
        return refused.response()
    answer = ingest(collector, batch, timezone.now())
    return JsonResponse(answer.as_dict())


def assignments(collector: Collector) -> dict[str, Any]:
    """The collector's enabled checks with their secrets, and a digest of them (``version``)."""
    checks = [
        {
            "id": check.pk,
            "type": check.type,
            "name": check.name,
            "interval_s": check.interval_s,
            "timeout_s": check.timeout_s,
            "params": check.params | check.secrets(),
        }
        for check in collector.checks.filter(enabled=True).order_by("pk")
    ]
    canonical = json.dumps(checks, sort_keys=True, separators=(",", ":"))
    return {"checks": checks, "version": hashlib.sha256(canonical.encode()).hexdigest()}


@router.get(
    "/ingest/assignments",
    auth=None,
    summary="The checks this collector runs",
)
def get_assignments(request: HttpRequest) -> HttpResponse:
    """The enabled checks of the calling collector, with decrypted params."""
    try:
        collector = _sender(request)
    except Refused as refused:
        return refused.response()
    return JsonResponse(assignments(collector))
