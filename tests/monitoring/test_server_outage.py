"""Kill the server while a collector runs, restart it: every result arrives exactly once.

Real processes end to end: `steward serve` on a temporary home, `steward collector` against it
running TCP checks of a loopback listener; the server is killed (SIGKILL, no goodbye) and
started again while the collector keeps checking and buffering.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import datetime
from itertools import pairwise
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

CHECKS, INTERVAL_S = 12, 10

PREPARE = """
import django, os
os.environ["DJANGO_SETTINGS_MODULE"] = "steward.settings"
django.setup()
from django.core.management import call_command
from steward.monitoring.services import create_check, create_collector
from steward.tenancy.models import Client
call_command("migrate", verbosity=0)
client = Client.objects.create(name="Acme", code="acme")
collector, token = create_collector(client, kind="collector", name="probe")
for n in range({checks}):
    create_check(client, collector=collector, type="tcp", name=f"listener {{n}}",
                 interval_s={interval}, params={{"host": "127.0.0.1", "port": {port}}})
print(token)
"""

RESULTS = """
import django, os
os.environ["DJANGO_SETTINGS_MODULE"] = "steward.settings"
django.setup()
from steward.monitoring.models import CheckResult
for check_id, at in CheckResult.objects.values_list("of_check_id", "at"):
    print(check_id, at.isoformat())
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _python(code: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@contextmanager
def _server(env: dict[str, str], port: int) -> Iterator[subprocess.Popen[str]]:
    command = [sys.executable, "-m", "steward.cli", "serve", "--port", str(port), "--workers", "1"]
    process = subprocess.Popen(command, env=env, start_new_session=True, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=2):
                    break
            except OSError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)  # polling for readiness
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)  # no goodbye: a crash
            process.wait()


def _until(condition: object, what: str, timeout: float = 90.0) -> None:
    """Poll ``condition`` (a callable) until it holds: waiting for an event, not for time."""
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.5)


def _pending(state: Path) -> int:
    path = state / "buffer.sqlite3"
    if not path.exists():
        return 0
    with closing(sqlite3.connect(path, timeout=10)) as db:
        return int(db.execute("SELECT COUNT(*) FROM batches").fetchone()[0])


def test_every_result_arrives_once_across_a_server_crash(tmp_path: Path) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    env = {k: v for k, v in os.environ.items() if k != "STEWARD_DATABASE_URL"}
    env |= {"STEWARD_HOME": str(tmp_path / "home"), "STEWARD_LOG_LEVEL": "WARNING"}
    code = PREPARE.format(checks=CHECKS, interval=INTERVAL_S, port=listener.getsockname()[1])
    token = _python(code, env).strip().splitlines()[-1]
    port, state = _free_port(), tmp_path / "collector"
    collector_command = [
        sys.executable, "-m", "steward.cli", "collector", "--server", f"http://127.0.0.1:{port}",
        "--token", token, "--state-dir", str(state),
    ]  # fmt: skip
    collector = None
    try:
        with _server(env, port):
            collector = subprocess.Popen(collector_command, env=env, text=True)
            # Up: every check has run and been stored at least once.
            _until(lambda: len(_results(env)) >= CHECKS, "the first results")
        # Crashed: the collector keeps checking and buffers its batches.
        _until(lambda: _pending(state) >= 3, "batches buffered during the outage")
        with _server(env, port):
            # Back: the buffer drains, oldest first, and new results follow.
            _until(lambda: _pending(state) == 0, "the buffer to drain")
            collector.send_signal(signal.SIGTERM)  # stops, shipping what is left
            assert collector.wait(timeout=60) == 0
            assert _pending(state) == 0
    finally:
        listener.close()
        if collector is not None and collector.poll() is None:
            collector.kill()
    rows = _results(env)
    seen = Counter(rows)
    assert max(seen.values()) == 1  # nothing stored twice
    by_check: dict[str, list[datetime]] = {}
    for check, at in rows:
        by_check.setdefault(check, []).append(datetime.fromisoformat(at))
    assert len(by_check) == CHECKS
    for times in by_check.values():
        times.sort()
        # Nothing lost: one result per interval from the first run to the last, the outage
        # included (a lost batch would leave a gap of two intervals).
        gaps = [(b - a).total_seconds() for a, b in pairwise(times)]
        assert len(times) >= 2
        assert max(gaps) < 1.5 * INTERVAL_S


def _results(env: dict[str, str]) -> list[tuple[str, str]]:
    lines = _python(RESULTS, env).splitlines()
    return [(check, at) for check, at in (line.split() for line in lines)]
