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


PREPARE = """
import django, os
os.environ["DJANGO_SETTINGS_MODULE"] = "steward.settings"
django.setup()
from django.core.management import call_command
from steward.monitoring.embedded import embedded_token
from steward.monitoring.services import authenticate_collector, create_check
from steward.tenancy.models import Client
call_command("migrate", verbosity=0)
client = Client.objects.create(name="Acme", code="acme")
collector = authenticate_collector(embedded_token())
check = create_check(client, collector=collector, type="tcp", name="listener", interval_s=10,
                     params={{"host": "127.0.0.1", "port": {port}}})
print(check.pk)
"""


def test_the_embedded_collector_runs_its_checks(tmp_path: Path) -> None:
    target = socket.socket()
    target.bind(("127.0.0.1", 0))
    target.listen()
    env = _env(tmp_path)
    made = subprocess.run(
        [sys.executable, "-c", PREPARE.format(port=target.getsockname()[1])],
        env=env, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    check_id = int(made.stdout.strip().splitlines()[-1])
    assert (tmp_path / "collector" / "token").stat().st_mode & 0o777 == 0o600
    port = _free_port()
    process = subprocess.Popen(
        _steward("up", "--no-demo", "--port", str(port)),
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )  # fmt: skip
    probe = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'steward.settings'; "
        "django.setup(); from steward.monitoring.models import CheckState; "
        f"s = CheckState.objects.filter(of_check_id={check_id}).first(); "
        "print(s.state if s else 'none')"
    )
    try:
        deadline, state = time.monotonic() + 90, "none"
        while state == "none" and time.monotonic() < deadline:
            time.sleep(1)  # polling for the first result, not waiting for time to pass
            state = subprocess.run(
                [sys.executable, "-c", probe], env=env, capture_output=True, text=True
            ).stdout.strip()
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=60)
    finally:
        target.close()
        if process.poll() is None:
            process.kill()
    assert state == "ok", output
    assert process.returncode == 0, output
