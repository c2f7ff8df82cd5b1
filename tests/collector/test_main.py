"""The whole collector against the ingest stub: assignments in, results out; and the command
run as a process and stopped with SIGTERM."""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from steward.collector.assignments import parse_assignments
from steward.collector.main import CollectorThread, parse_args, run
from steward.collector.transport import Buffer
from tests.collector.ingest_stub import IngestStub

REPO = Path(__file__).resolve().parents[2]


def assignments(http_port: int) -> dict[str, Any]:
    return {
        "version": "v1",
        "checks": [
            {
                "id": 1,
                "type": "tcp",
                "interval_s": 1,
                "timeout_s": 1,
                "params": {"host": "127.0.0.1", "port": http_port},
            },
            {
                "id": 2,
                "type": "http",
                "interval_s": 1,
                "timeout_s": 1,
                "params": {"url": f"http://127.0.0.1:{http_port}/ok", "keyword": "Welcome"},
            },
        ],
    }


@pytest.fixture
def stub(http_port: int) -> Iterator[IngestStub]:
    server = IngestStub(assignments=assignments(http_port)).start()
    yield server
    server.stop()


def results(stub: IngestStub) -> list[dict[str, Any]]:
    return [result for batch in stub.batches for result in batch.get("results", [])]


@pytest.mark.anyio
async def test_run_pulls_checks_runs_them_and_ships_results(
    stub: IngestStub, tmp_path: Path
) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(run(stub.url, stub.token, tmp_path, stop, ship_s=0.2))
    deadline = time.monotonic() + 3
    while {r["check_id"] for r in results(stub)} != {1, 2} and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(task, 5)

    by_check = {r["check_id"]: r for r in results(stub)}
    assert by_check[1]["state"] == "ok"
    assert by_check[2]["state"] == "ok"
    assert by_check[2]["summary"].startswith("HTTP 200")
    series = {(s["metric"], s["check_id"]) for b in stub.batches for s in b.get("series", [])}
    assert ("tcp_connect_seconds", 1) in series
    assert ("http_response_seconds", 2) in series
    assert len(set(stub.batch_ids)) == len(stub.batch_ids)
    cached = json.loads((tmp_path / "assignments.json").read_text())
    assert parse_assignments(cached).checks == parse_assignments(stub.assignments).checks


def test_assignment_errors_name_the_entry_and_field() -> None:
    parsed = parse_assignments(
        {
            "version": "v2",
            "checks": [
                {"id": 1, "type": "tcp", "interval_s": 10, "params": {}},
                {"id": "2", "type": "tcp", "interval_s": 10},
                {"id": 3, "type": "telnet", "interval_s": 10},
                {"id": 4, "type": "tcp", "interval_s": 0},
                {"id": 5, "type": "tcp", "interval_s": 10, "timeout_s": 60},
                {"id": 1, "type": "tcp", "interval_s": 10},
                "x",
            ],
        }
    )
    assert sorted(parsed.checks) == [1, 5]
    assert parsed.checks[5].timeout_s == 10  # never longer than the interval
    assert parsed.errors == [
        "checks[1].id: must be an integer",
        "checks[2].type: unknown check type 'telnet'",
        "checks[3].interval_s: must be positive, got 0",
        "checks[5].id: 1 is listed twice",
        "checks[6]: must be an object",
    ]
    with pytest.raises(ValueError, match="'checks' list"):
        parse_assignments({"version": "x"})


def test_arguments(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("STEWARD_COLLECTOR_TOKEN", raising=False)
    with pytest.raises(SystemExit):
        parse_args(["--server", "http://x"])
    assert "--token: required (or set STEWARD_COLLECTOR_TOKEN)" in capsys.readouterr().err
    monkeypatch.setenv("STEWARD_COLLECTOR_TOKEN", "stc_a_b")
    args = parse_args(["--server", "http://x", "--max-buffer-mb", "1.5"])
    assert (args.token, args.max_buffer_mb, args.concurrency) == ("stc_a_b", 1.5, 200)


@pytest.mark.slow
def test_the_command_stops_on_sigterm_and_flushes(stub: IngestStub, tmp_path: Path) -> None:
    env = {**os.environ, "STEWARD_COLLECTOR_TOKEN": stub.token, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "steward.collector",
            "--server",
            stub.url,
            "--state-dir",
            str(tmp_path),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 10
        while not (tmp_path / "assignments.json").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1.2)  # every check's first slot falls within its 1 s interval
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=15)
    finally:
        process.kill()
    assert process.returncode == 0, output
    assert "assignment v1: 2 checks (2 added, 0 changed, 0 removed)" in output
    assert {r["check_id"] for r in results(stub)} == {1, 2}  # shipped on the way out


@pytest.mark.slow
@pytest.mark.anyio
async def test_results_made_during_an_outage_arrive_once_and_in_order(
    stub: IngestStub, tmp_path: Path
) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(run(stub.url, stub.token, tmp_path, stop, ship_s=0.1))

    async def until(condition: Any, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not condition() and time.monotonic() < deadline:
            await asyncio.sleep(0.05)

    await until(lambda: len(results(stub)) >= 2, 3)
    stub.stop()
    down_at = time.time()
    await asyncio.sleep(1.2)  # checks keep running (1 s interval); their batches wait on disk
    stub.start()
    up_at = time.time()
    await until(lambda: any(r_at(r) > up_at for r in results(stub)), 4)
    stop.set()
    await asyncio.wait_for(task, 5)

    assert len(set(stub.batch_ids)) == len(stub.batch_ids)
    for check_id in (1, 2):
        times = [r_at(r) for r in results(stub) if r["check_id"] == check_id]
        assert times == sorted(set(times))  # each result once, in the order it was made
        assert any(down_at < t < up_at for t in times)  # made while the server was down
    assert Buffer(tmp_path / "buffer.sqlite3", 1).pending() == 0


def r_at(result: dict[str, Any]) -> float:
    return datetime.fromisoformat(result["at"]).timestamp()


def test_collector_thread_runs_beside_the_caller_and_stops(
    stub: IngestStub, tmp_path: Path
) -> None:
    thread = CollectorThread(stub.url, stub.token, tmp_path, ship_s=0.2)
    thread.start()
    deadline = time.monotonic() + 3
    while {r["check_id"] for r in results(stub)} != {1, 2} and time.monotonic() < deadline:
        time.sleep(0.05)
    thread.stop()
    assert not thread.is_alive()
    assert {r["check_id"] for r in results(stub)} == {1, 2}


@pytest.mark.slow
@pytest.mark.anyio
async def test_restarted_during_an_outage_it_runs_the_checks_it_had(
    stub: IngestStub, tmp_path: Path
) -> None:
    (tmp_path / "assignments.json").write_text(json.dumps(stub.assignments))
    stub.stop()
    stop = asyncio.Event()
    task = asyncio.create_task(run(stub.url, stub.token, tmp_path, stop, ship_s=0.1))
    await asyncio.sleep(1.2)  # one interval: each check's first slot
    stop.set()
    await asyncio.wait_for(task, 5)
    buffer = Buffer(tmp_path / "buffer.sqlite3", 2**20)
    checked: set[int] = set()
    while (item := buffer.oldest()) is not None:
        checked |= {r["check_id"] for r in json.loads(gzip.decompress(item[1]))["results"]}
        buffer.ack(item[0])
    buffer.close()
    assert checked == {1, 2}
