"""Getting results to the server: a batcher that shapes them per docs/ingest.md, a SQLite buffer
that keeps batches across outages and restarts, and an uploader that sends them oldest first.

Shared by the collector and the agent; like the rest of this package it imports no Django.
"""

from __future__ import annotations

import enum
import gzip
import json
import logging
import math
import random
import sqlite3
import time
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import httpx

log = logging.getLogger("steward.collector.transport")

INGEST_PATH = "/api/v1/ingest"
DEFAULT_MAX_SAMPLES = 5_000
MAX_BATCH_ID_LENGTH = 64


def rfc3339(moment: datetime) -> str:
    """RFC 3339 in UTC with a `Z`, as the ingest API expects; naive datetimes are refused."""
    if moment.tzinfo is None:
        raise ValueError("at: a datetime with a time zone is required")
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


# --- Buffer ---------------------------------------------------------------------------------------

_SCHEMA = """
CREATE TABLE IF NOT EXISTS batches (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    batch_id TEXT NOT NULL UNIQUE,
    body BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""


class Buffer:
    """Pending batches in a SQLite file, oldest first, bounded by the total size of their gzip
    bodies. Over the bound the oldest are dropped and counted in `dropped` (kept in the file, so
    the count survives restarts too)."""

    def __init__(self, path: Path, max_bytes: int) -> None:
        if max_bytes <= 0:
            raise ValueError(f"max_bytes: must be positive, got {max_bytes}")
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.max_bytes = max_bytes
        # Autocommit: every statement is its own transaction, which is all a queue needs.
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        row = self._db.execute("SELECT COALESCE(SUM(length(body)), 0) FROM batches").fetchone()
        self._bytes = int(row[0])
        self._dropped = self._counter("dropped")

    def _counter(self, name: str) -> int:
        row = self._db.execute("SELECT value FROM counters WHERE name = ?", (name,)).fetchone()
        return int(row[0]) if row else 0

    @property
    def dropped(self) -> int:
        """Batches dropped because the buffer was full, over the file's whole life."""
        return self._dropped

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def put(self, batch: Mapping[str, Any]) -> str:
        """Store a batch (a `batch_id`, uuid4 hex, is added when absent); returns its id.
        Putting a batch whose id is already pending is a no-op."""
        body = dict(batch)
        batch_id = body.setdefault("batch_id", uuid.uuid4().hex)
        if not isinstance(batch_id, str) or not 1 <= len(batch_id) <= MAX_BATCH_ID_LENGTH:
            raise ValueError(f"batch_id: must be a string of 1-{MAX_BATCH_ID_LENGTH} characters")
        try:
            text = json.dumps(body, separators=(",", ":"), allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"batch {batch_id}: not JSON-serialisable ({exc})") from exc
        data = gzip.compress(text.encode(), compresslevel=5)
        inserted = self._db.execute(
            "INSERT OR IGNORE INTO batches (batch_id, body) VALUES (?, ?)", (batch_id, data)
        ).rowcount
        if inserted:
            self._bytes += len(data)
            self._drop_over_bound()
        return batch_id

    def _drop_over_bound(self) -> None:
        dropped = 0
        while self._bytes > self.max_bytes:
            row = self._db.execute(
                "SELECT seq, length(body) FROM batches ORDER BY seq LIMIT 1"
            ).fetchone()
            if row is None:
                break
            self._db.execute("DELETE FROM batches WHERE seq = ?", (row[0],))
            self._bytes -= int(row[1])
            dropped += 1
        if dropped:
            self._dropped += dropped
            self._db.execute(
                "INSERT INTO counters (name, value) VALUES ('dropped', ?) "
                "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                (self._dropped,),
            )
            log.warning(
                "collector buffer over %d bytes: dropped the %d oldest batches (%d dropped so far)",
                self.max_bytes,
                dropped,
                self._dropped,
            )

    def oldest(self) -> tuple[str, bytes] | None:
        """The oldest pending batch as (batch_id, gzip JSON body), or None when empty."""
        row = self._db.execute("SELECT batch_id, body FROM batches ORDER BY seq LIMIT 1").fetchone()
        return (str(row[0]), bytes(row[1])) if row else None

    def ack(self, batch_id: str) -> None:
        """Forget a batch: the server has it (or refused it for good)."""
        row = self._db.execute(
            "DELETE FROM batches WHERE batch_id = ? RETURNING length(body)", (batch_id,)
        ).fetchone()
        if row is not None:
            self._bytes -= int(row[0])

    def pending(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM batches").fetchone()[0])

    def close(self) -> None:
        self._db.close()


# --- Uploader -------------------------------------------------------------------------------------


def next_delay(
    attempt: int, jitter: float | None = None, *, base_s: float = 1.0, cap_s: float = 300.0
) -> float:
    """Seconds to wait before retry number `attempt` (1 = the first retry): doubling from
    `base_s`, capped at `cap_s`, then spread into [half, whole] by `jitter` in [0, 1) so that
    many collectors coming back after an outage do not all knock at once. Pure when `jitter`
    is given."""
    if attempt < 1:
        return 0.0
    ceiling = min(cap_s, base_s * 2.0 ** min(attempt - 1, 62))
    spread = random.random() if jitter is None else min(max(jitter, 0.0), 1.0)
    return ceiling / 2 + ceiling / 2 * spread


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds from a Retry-After header (delta seconds or an HTTP date), None when absent or
    unreadable."""
    if not value:
        return None
    text = value.strip()
    if text.isascii() and text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def stamp_sent_at(body: bytes, now: datetime) -> bytes:
    """The gzip body with `sent_at` set to `now` (each attempt says when it was sent)."""
    batch = json.loads(gzip.decompress(body))
    batch["sent_at"] = rfc3339(now)
    return gzip.compress(json.dumps(batch, separators=(",", ":")).encode(), compresslevel=5)


class _Sent(enum.Enum):
    ACCEPTED = "accepted"
    DROPPED = "dropped"
    STOP = "stop"


class Uploader:
    """Sends buffered batches to `POST /api/v1/ingest`, oldest first.

    A 2xx acks the batch; any other 4xx except 401 and 429 drops it for good (it would never
    succeed; logged and counted in `rejected`). 401 (a token problem, not a batch problem), 429,
    5xx and connection errors keep the batch and stop the flush; `retry_at` (monotonic seconds)
    says when to try again: Retry-After when the server gives one, else `next_delay`.
    """

    def __init__(
        self,
        server: str,
        token: str,
        buffer: Buffer,
        client: httpx.AsyncClient | None = None,
        *,
        timeout_s: float = 30.0,
    ) -> None:
        self.url = server.rstrip("/") + INGEST_PATH
        self.buffer = buffer
        self._headers = {
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Content-Encoding": "gzip",
        }
        self._client = client or httpx.AsyncClient(timeout=timeout_s)
        self._owns_client = client is None
        self.attempt = 0
        self.retry_at = 0.0
        self.sent = 0
        self.rejected = 0
        self.item_errors = 0

    def wait_s(self, now: float | None = None) -> float:
        """Seconds until the uploader may try again (0 when it may now)."""
        return max(0.0, self.retry_at - (time.monotonic() if now is None else now))

    async def flush(self) -> int:
        """Send pending batches until the buffer is empty or the server says stop; returns the
        number of batches the server accepted."""
        sent = 0
        while self.wait_s() == 0 and (item := self.buffer.oldest()) is not None:
            outcome = await self._send(*item)
            if outcome is _Sent.STOP:
                break
            sent += outcome is _Sent.ACCEPTED
        self.sent += sent
        return sent

    async def _send(self, batch_id: str, body: bytes) -> _Sent:
        """One attempt at the oldest batch."""
        try:
            content = stamp_sent_at(body, datetime.now(UTC))
        except (OSError, EOFError, ValueError) as exc:  # a damaged row would block the queue
            self.buffer.ack(batch_id)
            self.rejected += 1
            log.error("buffered batch %s is unreadable, dropped: %s", batch_id, exc)
            return _Sent.DROPPED
        try:
            response = await self._client.post(self.url, content=content, headers=self._headers)
        except httpx.HTTPError as exc:
            self._back_off(f"{type(exc).__name__}: {exc}", None)
            return _Sent.STOP
        status = response.status_code
        if 200 <= status < 300:
            self.attempt = 0
            self.buffer.ack(batch_id)
            self._note_item_errors(batch_id, response)
            return _Sent.ACCEPTED
        if status in (401, 429) or status >= 500:
            retry_after = parse_retry_after(response.headers.get("Retry-After"), datetime.now(UTC))
            reason = "the token was refused" if status == 401 else response.text[:200]
            self._back_off(f"HTTP {status}: {reason}", retry_after, status == 401)
            return _Sent.STOP
        self.buffer.ack(batch_id)
        self.rejected += 1
        log.error("ingest refused batch %s for good: HTTP %d %s", batch_id, status, response.text)
        return _Sent.DROPPED

    def _back_off(self, reason: str, retry_after: float | None, error: bool = False) -> None:
        self.attempt += 1
        delay = retry_after if retry_after is not None else next_delay(self.attempt)
        self.retry_at = time.monotonic() + delay
        level = logging.ERROR if error else logging.WARNING
        log.log(level, "ingest unavailable (%s); retrying in %.1f s", reason, delay)

    def _note_item_errors(self, batch_id: str, response: httpx.Response) -> None:
        try:
            errors = response.json().get("errors") or []
        except (ValueError, AttributeError):
            return
        if errors:
            self.item_errors += len(errors)
            log.warning(
                "ingest kept batch %s but refused %d items: %s", batch_id, len(errors), errors[:5]
            )

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()


# --- Batcher --------------------------------------------------------------------------------------

SeriesKey = tuple[str, tuple[tuple[str, str], ...], int | None, str | None]


class Batcher:
    """Collects results, samples, assets and facts; `cut()` turns what is pending into one batch
    of at most `max_samples` points (and as many results) in the ingest shape. Points of the same
    series (metric, labels, check or asset) travel together."""

    def __init__(self, max_samples: int = DEFAULT_MAX_SAMPLES) -> None:
        if max_samples <= 0:
            raise ValueError(f"max_samples: must be positive, got {max_samples}")
        self.max_samples = max_samples
        self._results: list[dict[str, Any]] = []
        self._series: dict[SeriesKey, list[list[float]]] = {}
        self._assets: list[dict[str, Any]] = []
        self._facts: list[dict[str, Any]] = []
        self.pending_samples = 0
        self.skipped_not_finite = 0

    def add_result(
        self, check_id: int, at: datetime, state: str, summary: str, duration_ms: float
    ) -> None:
        self._results.append(
            {
                "check_id": check_id,
                "at": rfc3339(at),
                "state": state,
                "summary": summary,
                "duration_ms": round(duration_ms, 3),
            }
        )

    def add_point(
        self,
        metric: str,
        value: float,
        at: float,
        labels: Mapping[str, str] | None = None,
        *,
        check_id: int | None = None,
        asset: str | None = None,
    ) -> None:
        """One sample at unix time `at`, for a check of this collector or an asset. NaN and
        infinities cannot travel in JSON: they are skipped and counted."""
        if (check_id is None) == (asset is None):
            raise ValueError(f"{metric}: a sample names exactly one of check_id or asset")
        if not math.isfinite(value):
            self.skipped_not_finite += 1
            return
        key = (metric, tuple(sorted((labels or {}).items())), check_id, asset)
        self._series.setdefault(key, []).append([at, value])
        self.pending_samples += 1

    def add_asset(self, asset: Mapping[str, Any]) -> None:
        self._assets.append(dict(asset))

    def add_fact(self, fact: Mapping[str, Any]) -> None:
        self._facts.append(dict(fact))

    def has_pending(self) -> bool:
        return bool(self._results or self._series or self._assets or self._facts)

    def cut(self) -> dict[str, Any] | None:
        """One batch from the oldest pending items, or None when nothing is pending."""
        if not self.has_pending():
            return None
        batch: dict[str, Any] = {}
        if self._results:
            batch["results"] = self._results[: self.max_samples]
            del self._results[: self.max_samples]
        if self._series:
            batch["series"] = self._cut_series()
        if self._assets:
            batch["assets"], self._assets = self._assets, []
        if self._facts:
            batch["facts"], self._facts = self._facts, []
        return batch

    def _cut_series(self) -> list[dict[str, Any]]:
        room = self.max_samples
        series: list[dict[str, Any]] = []
        for key in list(self._series):
            if room == 0:
                break
            points = self._series[key]
            taken = points[:room]
            if len(taken) == len(points):
                del self._series[key]
            else:
                del points[:room]
            room -= len(taken)
            metric, labels, check_id, asset = key
            item: dict[str, Any] = {"metric": metric, "labels": dict(labels), "points": taken}
            if check_id is not None:
                item["check_id"] = check_id
            else:
                item["asset"] = asset
            series.append(item)
        self.pending_samples -= self.max_samples - room
        return series
