"""Buffer, Uploader and Batcher against a real ingest stub on loopback."""

from __future__ import annotations

import gzip
import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from steward.collector.transport import (
    Batcher,
    Buffer,
    Uploader,
    next_delay,
    parse_retry_after,
)
from tests.collector.ingest_stub import IngestStub, Scripted

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


@pytest.fixture
def stub() -> Iterator[IngestStub]:
    server = IngestStub().start()
    yield server
    server.stop()


@pytest.fixture
def buffer(tmp_path: Path) -> Iterator[Buffer]:
    buf = Buffer(tmp_path / "buffer.sqlite3", max_bytes=10_000_000)
    yield buf
    buf.close()


def oldest_id(buf: Buffer) -> str | None:
    item = buf.oldest()
    return item[0] if item else None


# --- Buffer ---------------------------------------------------------------------------------------


def test_buffer_keeps_order_and_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "b.sqlite3"
    buf = Buffer(path, max_bytes=1_000_000)
    ids = [buf.put({"results": [{"n": n}]}) for n in range(3)]
    assert all(len(batch_id) == 32 for batch_id in ids)
    assert buf.put({"batch_id": "given"}) == "given"
    buf.close()

    again = Buffer(path, max_bytes=1_000_000)
    assert again.pending() == 4
    oldest = again.oldest()
    assert oldest is not None
    assert oldest[0] == ids[0]
    assert json.loads(gzip.decompress(oldest[1])) == {"results": [{"n": 0}], "batch_id": ids[0]}
    again.ack(ids[0])
    assert oldest_id(again) == ids[1]
    assert again.pending() == 3
    again.close()


def test_buffer_drops_the_oldest_over_its_bound_and_counts_across_restarts(tmp_path: Path) -> None:
    path = tmp_path / "b.sqlite3"
    probe = Buffer(tmp_path / "probe.sqlite3", max_bytes=1_000_000)
    probe.put({"batch_id": f"{9:032d}"})
    one = probe.size_bytes
    buf = Buffer(path, max_bytes=one * 3)
    ids = [buf.put({"batch_id": f"{n:032d}"}) for n in range(5)]
    assert buf.pending() == 3
    assert buf.dropped == 2
    assert oldest_id(buf) == ids[2]
    buf.close()
    reopened = Buffer(path, max_bytes=one * 3)
    reopened.put({"batch_id": f"{7:032d}"})
    assert reopened.dropped == 3
    assert reopened.size_bytes <= one * 3
    reopened.close()


def test_buffer_refuses_bad_batches_by_name(buffer: Buffer) -> None:
    with pytest.raises(ValueError, match="batch_id"):
        buffer.put({"batch_id": ""})
    with pytest.raises(ValueError, match="not JSON"):
        buffer.put({"series": [float("nan")]})
    assert buffer.put({"batch_id": "same"}) == buffer.put({"batch_id": "same"})
    assert buffer.pending() == 1


# --- Backoff --------------------------------------------------------------------------------------


def test_next_delay_doubles_to_its_cap_and_jitters_within_half() -> None:
    assert next_delay(0) == 0
    assert [next_delay(n, jitter=1.0) for n in (1, 2, 3, 4)] == [1.0, 2.0, 4.0, 8.0]
    assert next_delay(1, jitter=0.0) == 0.5
    assert next_delay(20, jitter=1.0) == 300.0
    assert next_delay(10_000, jitter=0.0) == 150.0
    assert all(150.0 <= next_delay(30) <= 300.0 for _ in range(50))


def test_retry_after_reads_seconds_and_http_dates() -> None:
    assert parse_retry_after("7", NOW) == 7.0
    later = (NOW + timedelta(seconds=90)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert parse_retry_after(later, NOW) == 90.0
    assert parse_retry_after("soon", NOW) is None
    assert parse_retry_after(None, NOW) is None


# --- Batcher --------------------------------------------------------------------------------------


def test_batcher_groups_series_and_cuts_at_the_sample_limit() -> None:
    batcher = Batcher(max_samples=3)
    batcher.add_result(12, NOW, "ok", "HTTP 200", 41.25)
    for t in (1.0, 2.0):
        batcher.add_point("http_response_seconds", 0.04, t, check_id=12)
        batcher.add_point("disk_used_percent", 71.5, t, {"mount": "/"}, asset="m1")
    batcher.add_point("bad", float("nan"), 1.0, check_id=12)
    assert batcher.skipped_not_finite == 1

    first = batcher.cut()
    assert first == {
        "results": [
            {
                "check_id": 12,
                "at": "2026-11-29T12:00:00Z",
                "state": "ok",
                "summary": "HTTP 200",
                "duration_ms": 41.25,
            }
        ],
        "series": [
            {
                "metric": "http_response_seconds",
                "labels": {},
                "points": [[1.0, 0.04], [2.0, 0.04]],
                "check_id": 12,
            },
            {
                "metric": "disk_used_percent",
                "labels": {"mount": "/"},
                "points": [[1.0, 71.5]],
                "asset": "m1",
            },
        ],
    }
    assert batcher.pending_samples == 1
    second = batcher.cut()
    assert second is not None
    assert second["series"][0]["points"] == [[2.0, 71.5]]
    assert batcher.cut() is None


def test_batcher_needs_exactly_one_owner_and_aware_times() -> None:
    batcher = Batcher()
    with pytest.raises(ValueError, match="exactly one"):
        batcher.add_point("m", 1.0, 1.0)
    with pytest.raises(ValueError, match="time zone"):
        batcher.add_result(1, datetime(2026, 1, 1), "ok", "", 1.0)  # noqa: DTZ001


# --- Uploader -------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_uploader_sends_oldest_first_with_gzip_and_token(
    stub: IngestStub, buffer: Buffer
) -> None:
    ids = [buffer.put({"results": [], "n": n}) for n in range(3)]
    assert await Uploader(stub.url, stub.token, buffer).flush() == 3
    assert stub.batch_ids == ids
    assert all(batch["sent_at"].endswith("Z") for batch in stub.batches)
    assert buffer.pending() == 0


@pytest.mark.anyio
async def test_uploader_drops_refused_batches_and_keeps_going(
    stub: IngestStub, buffer: Buffer
) -> None:
    ids = [buffer.put({"n": n}) for n in range(3)]
    stub.script.extend([Scripted(413), Scripted(200), Scripted(422)])
    uploader = Uploader(stub.url, stub.token, buffer)
    assert await uploader.flush() == 1
    assert uploader.rejected == 2
    assert stub.batch_ids == [ids[1]]
    assert buffer.pending() == 0


@pytest.mark.anyio
@pytest.mark.parametrize("status", [500, 503, 401])
async def test_uploader_keeps_the_batch_and_backs_off_on_server_errors(
    stub: IngestStub, buffer: Buffer, status: int
) -> None:
    buffer.put({"n": 1})
    stub.script.append(Scripted(status))
    uploader = Uploader(stub.url, stub.token, buffer)
    assert await uploader.flush() == 0
    assert buffer.pending() == 1
    assert uploader.attempt == 1
    assert 0.4 <= uploader.wait_s() <= 1.0


@pytest.mark.anyio
async def test_uploader_honours_retry_after_on_429(stub: IngestStub, buffer: Buffer) -> None:
    buffer.put({"n": 1})
    stub.script.append(Scripted(429, retry_after="120"))
    uploader = Uploader(stub.url, stub.token, buffer)
    assert await uploader.flush() == 0
    assert 119 < uploader.wait_s() <= 120
    assert buffer.pending() == 1
    assert await uploader.flush() == 0  # still waiting: no request made
    assert stub.requests == 1


@pytest.mark.anyio
async def test_batches_arrive_once_and_in_order_across_a_server_crash(
    stub: IngestStub, buffer: Buffer
) -> None:
    ids = [buffer.put({"n": n}) for n in range(10)]
    # The 4th batch is stored but its answer is lost and the server goes down.
    stub.script.extend([Scripted(), Scripted(), Scripted(), Scripted(lose=True)])
    uploader = Uploader(stub.url, stub.token, buffer)
    assert await uploader.flush() == 3
    assert buffer.pending() == 7

    uploader.retry_at = 0  # the backoff has passed; the server is still down
    assert await uploader.flush() == 0
    assert uploader.attempt == 2

    stub.start()
    uploader.retry_at = 0
    assert await uploader.flush() == 7
    assert stub.batch_ids == ids
    assert stub.duplicates == 1
    assert buffer.pending() == 0


@pytest.mark.anyio
async def test_a_damaged_buffered_batch_is_dropped_not_stuck(
    stub: IngestStub, tmp_path: Path
) -> None:
    path = tmp_path / "b.sqlite3"
    buffer = Buffer(path, max_bytes=1_000_000)
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO batches (batch_id, body) VALUES ('damaged', x'00ff')")
    good = buffer.put({"n": 1})
    uploader = Uploader(stub.url, stub.token, buffer)
    assert await uploader.flush() == 1
    assert uploader.rejected == 1
    assert stub.batch_ids == [good]
    buffer.close()
