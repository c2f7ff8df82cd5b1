"""`steward up` as an operator runs it: a real process, real HTTP, real signals."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "STEWARD_DATABASE_URL"}
    env["STEWARD_HOME"] = str(home)
    env["STEWARD_OWNER_PASSWORD"] = "an-operator-chosen-password"
    return env


def _steward(*args: str) -> list[str]:
    return [sys.executable, "-m", "steward.cli", *args]


def test_check_starts_answers_health_and_exits_zero(tmp_path: Path) -> None:
    port = str(_free_port())
    done = subprocess.run(
        _steward("up", "--check", "--no-demo", "--port", port),
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert '"status": "ok"' in done.stdout
    assert "username: owner" in done.stdout
    # The owner password came from the environment, so it is not printed.
    assert "an-operator-chosen-password" not in done.stdout


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_a_stop_signal_shuts_down_cleanly(tmp_path: Path, stop_signal: signal.Signals) -> None:
    port = _free_port()
    process = subprocess.Popen(
        _steward("up", "--no-demo", "--port", str(port)),
        env=_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        # A fresh session: SIGINT is not ignored as it is for background jobs of a shell.
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=2):
                    break
            except OSError:
                assert time.monotonic() < deadline, "steward up did not start"
                time.sleep(0.2)  # polling for readiness, not waiting for time to pass
        process.send_signal(stop_signal)
        output, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, output
    assert "Steward stopped." in output
    assert "Traceback" not in output
