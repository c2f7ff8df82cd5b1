"""The agent end to end against a real ingest stub on loopback."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from steward.agent.identity import identify
from steward.agent.main import (
    EXIT_FAILURE,
    EXIT_OK,
    EXIT_PENDING,
    AgentConfig,
    main,
    parse_args,
    run,
)
from steward.agent.state import LastInventory, StateDir
from tests.agent.conftest import IngestStub

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "sta_lookup_secret"
METRIC = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
LABEL = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
EVERY_CYCLE = {
    "memory_used_percent",
    "memory_available_bytes",
    "disk_used_percent",
    "disk_free_bytes",
    "load1",
    "load5",
    "load15",
    "uptime_seconds",
}
FACTS = {
    "os.kernel",
    "os.pending_updates",
    "os.pending_security_updates",
    "hardware.cpu_count",
    "hardware.memory_total_bytes",
    "hardware.vendor",
    "hardware.model",
    "hardware.serial",
    "firewall.active",
    "disk.encryption",
    "updates.automatic",
    "system.last_boot",
    "accounts.local_admins",
}


def argv(stub: IngestStub, state_dir: Path, *more: str) -> list[str]:
    return ["--server", stub.url, "--token", TOKEN, "--state-dir", str(state_dir), *more]


def seed_inventory(state_dir: Path) -> str:
    """A fresh inventory in the state dir, so a run skips the seconds-long apt simulation."""
    key = identify(state_dir).key
    asset = {"key": key, "hostname": "seeded", "addresses": [], "os": "Debian GNU/Linux"}
    StateDir(state_dir).save_inventory(LastInventory(time.time(), asset))
    return key


def assert_rfc3339(text: str) -> None:
    assert datetime.fromisoformat(text).tzinfo is not None


def assert_contract(batch: dict[str, Any], key: str) -> None:
    """The batch as docs/ingest.md describes it."""
    assert 1 <= len(batch["batch_id"]) <= 64
    assert_rfc3339(batch["sent_at"])
    for item in batch["series"]:
        assert METRIC.fullmatch(item["metric"])
        assert all(LABEL.fullmatch(name) for name in item["labels"])
        assert item["asset"] == key
        assert "check_id" not in item
        assert item["points"]
        for at, value in item["points"]:
            assert abs(at - time.time()) < 600
            assert isinstance(value, int | float)
    assert {item["metric"] for item in batch["series"]} >= EVERY_CYCLE
    assert [asset["key"] for asset in batch["assets"]] == [key]
    for fact in batch.get("facts", []):
        assert fact["asset"] == key
        assert fact["status"] in ("ok", "unsupported", "error")
        assert_rfc3339(fact["at"])
        if fact["status"] != "ok":
            assert fact["value"] is None
            assert fact["detail"]


@pytest.mark.slow  # the first cycle reads inventory, and apt-get -s upgrade takes seconds
def test_once_sends_one_batch_in_the_ingest_shape(ingest_stub: IngestStub, tmp_path: Path) -> None:
    assert main(argv(ingest_stub, tmp_path, "--once")) == EXIT_OK
    [received] = ingest_stub.received
    assert received.authorization == f"Bearer {TOKEN}"
    assert received.content_encoding == "gzip"
    key = identify(tmp_path).key
    assert_contract(received.batch, key)
    facts = {fact["name"]: fact for fact in received.batch["facts"]}
    assert set(facts) == FACTS
    asset = received.batch["assets"][0]
    assert asset["hostname"]
    assert asset["os"]
    assert facts["system.last_boot"]["status"] == "ok"
    if shutil.which("apt-get"):
        assert facts["os.pending_updates"]["status"] == "ok"
        assert (
            0
            <= facts["os.pending_security_updates"]["value"]
            <= facts["os.pending_updates"]["value"]
        )


def test_a_batch_buffered_while_the_server_was_down_is_replayed_once(
    ingest_stub: IngestStub, tmp_path: Path
) -> None:
    key = seed_inventory(tmp_path)
    ingest_stub.stop()
    assert main(argv(ingest_stub, tmp_path, "--once")) == EXIT_PENDING
    assert ingest_stub.received == []

    ingest_stub.start()  # back on the same port
    assert main(argv(ingest_stub, tmp_path, "--once")) == EXIT_OK
    first, second = ingest_stub.received
    assert first.batch["batch_id"] != second.batch["batch_id"]
    assert_contract(first.batch, key)
    assert_contract(second.batch, key)
    # The replayed batch was collected first: its points are older.
    assert first.batch["series"][0]["points"][0][0] < second.batch["series"][0]["points"][0][0]
    # The second run had the first run's counters: CPU usage needs two readings.
    assert "cpu_usage_percent" in {item["metric"] for item in second.batch["series"]}

    assert main(argv(ingest_stub, tmp_path, "--once")) == EXIT_OK
    ids = ingest_stub.batch_ids()
    assert len(ids) == 3
    assert len(set(ids)) == 3  # nothing sent twice


def test_run_cycles_until_stopped(ingest_stub: IngestStub, tmp_path: Path) -> None:
    seed_inventory(tmp_path)
    config = AgentConfig(ingest_stub.url, TOKEN, tmp_path, interval_s=0.05)
    assert asyncio.run(run_until_two_batches(config, ingest_stub)) == EXIT_OK
    assert len(ingest_stub.received) >= 2
    assert len(set(ingest_stub.batch_ids())) == len(ingest_stub.received)


async def run_until_two_batches(config: AgentConfig, ingest_stub: IngestStub) -> int:
    stop = asyncio.Event()

    async def stop_after_two_batches() -> None:
        for _ in range(500):
            if len(ingest_stub.received) >= 2:
                break
            await asyncio.sleep(0.01)
        stop.set()

    stopper = asyncio.create_task(stop_after_two_batches())
    code = await asyncio.wait_for(run(config, stop), timeout=10)
    await stopper
    return code


def test_sigterm_stops_the_agent(ingest_stub: IngestStub, tmp_path: Path) -> None:
    seed_inventory(tmp_path)
    env = {**os.environ, "STEWARD_AGENT_TOKEN": TOKEN}
    command = [sys.executable, "-m", "steward.agent", "--server", ingest_stub.url]
    command += ["--state-dir", str(tmp_path), "--interval", "30"]
    agent = subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 10
        while not ingest_stub.received and time.monotonic() < deadline:
            time.sleep(0.02)
        assert ingest_stub.received, "the agent sent nothing"
        assert ingest_stub.received[0].authorization == f"Bearer {TOKEN}"
        agent.send_signal(signal.SIGTERM)
        assert agent.wait(timeout=5) == EXIT_OK
    finally:
        agent.kill()
        agent.wait()


def test_a_failed_cycle_is_reported_and_buffered_batches_still_go(
    ingest_stub: IngestStub, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    seed_inventory(tmp_path)
    ingest_stub.stop()
    assert main(argv(ingest_stub, tmp_path, "--once")) == EXIT_PENDING
    ingest_stub.start()
    (tmp_path / "counters.json").unlink()
    (tmp_path / "counters.json").mkdir()  # the state dir cannot take the new counters
    assert main(argv(ingest_stub, tmp_path, "--once")) == EXIT_FAILURE
    assert "cycle failed" in caplog.text
    assert len(ingest_stub.received) == 1  # the batch buffered by the first run


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--server", "http://127.0.0.1:1"], "--token"),
        (["--server", "ftp://x", "--token", "t"], "--server"),
        (["--server", "http://x", "--token", "t", "--interval", "0"], "--interval"),
        (["--server", "http://x", "--token", "t", "--inventory-interval", "-1"], "--inventory"),
        (["--server", "http://x", "--token", "t", "--interval", "soon"], "--interval"),
    ],
)
def test_bad_arguments_name_the_option(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    monkeypatch.delenv("STEWARD_AGENT_TOKEN", raising=False)
    assert main(args) == 2
    assert message in capsys.readouterr().err


def test_the_token_can_come_from_a_file(monkeypatch: Any, tmp_path: Path) -> None:
    monkeypatch.delenv("STEWARD_AGENT_TOKEN", raising=False)
    (tmp_path / "token").write_text("sta_from_file\n")
    base = ["--server", "https://s.example", "--state-dir", str(tmp_path)]
    config, _ = parse_args([*base, "--token-file", str(tmp_path / "token")])
    assert config.token == "sta_from_file"
    monkeypatch.setenv("STEWARD_AGENT_TOKEN_FILE", str(tmp_path / "token"))
    assert parse_args(base)[0].token == "sta_from_file"


def test_an_unreadable_token_file_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--server", "https://s.example", "--token-file", str(tmp_path / "missing")]
    assert main(args) == 2
    assert "--token-file: cannot read" in capsys.readouterr().err


def test_the_token_can_come_from_the_environment(monkeypatch: Any, tmp_path: Path) -> None:
    monkeypatch.setenv("STEWARD_AGENT_TOKEN", " sta_from_env\n")
    config, once = parse_args(["--server", "https://s.example", "--state-dir", str(tmp_path)])
    assert config.token == "sta_from_env"
    assert (config.interval_s, config.inventory_interval_s, once) == (60.0, 21600.0, False)
