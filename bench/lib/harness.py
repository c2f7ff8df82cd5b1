"""Throwaway Steward installations for benches: a temp STEWARD_HOME, optionally a fresh
PostgreSQL database, the `steward` command run in it, and a server started and stopped."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PG_HOST, PG_USER = "127.0.0.1", "postgres"


@dataclass
class Home:
    """A STEWARD_HOME in a temp directory; ``database_url`` None means SQLite inside it."""

    path: Path
    database_url: str | None = None
    env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.env = {**os.environ, "STEWARD_HOME": str(self.path), "STEWARD_LOG_LEVEL": "WARNING"}
        self.env.pop("STEWARD_DATABASE_URL", None)
        if self.database_url:
            self.env["STEWARD_DATABASE_URL"] = self.database_url
        self.env["PYTHONPATH"] = str(REPO)

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "steward.cli", *args]

    def steward(self, *args: str) -> str:
        """Run `steward ARGS` in this home; return its standard output, fail loudly."""
        done = subprocess.run(
            self.command(*args), env=self.env, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"steward {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
        return done.stdout


@contextlib.contextmanager
def temp_home(prefix: str, database_url: str | None = None) -> Iterator[Home]:
    path = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield Home(path, database_url)
    finally:
        shutil.rmtree(path, ignore_errors=True)


def postgres_available() -> bool:
    if shutil.which("createdb") is None:
        return False
    done = subprocess.run(
        ["pg_isready", "-h", PG_HOST, "-U", PG_USER], capture_output=True, check=False
    )
    return done.returncode == 0


@contextlib.contextmanager
def postgres_database(prefix: str) -> Iterator[str]:
    """A fresh database on the local PostgreSQL, dropped afterwards; yields its URL."""
    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(3)}"
    subprocess.run(["createdb", "-h", PG_HOST, "-U", PG_USER, name], check=True)
    try:
        yield f"postgres://{PG_USER}@{PG_HOST}:5432/{name}"
    finally:
        subprocess.run(["dropdb", "--force", "-h", PG_HOST, "-U", PG_USER, name], check=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback)
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")
        time.sleep(0.2)


@dataclass(frozen=True)
class Served:
    base: str
    port: int
    pgid: int


@contextlib.contextmanager
def serving(home: Home, *serve_args: str) -> Iterator[Served]:
    """`steward serve` on a free loopback port, in its own process group; yields once
    /api/v1/health answers, and stops the whole group afterwards."""
    port = free_port()
    args = home.command("serve", "--host", "127.0.0.1", "--port", str(port), *serve_args)
    process = subprocess.Popen(args, env=home.env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/api/v1/health")
        yield Served(base, port, process.pid)
    finally:
        # SIGTERM to the server's main process only: it stops its workers itself (signalling
        # the whole group makes it report them as crashed). The group is killed if it hangs.
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=15)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def group_cpu_seconds(pgid: int) -> float | None:
    """CPU time (user + system) used so far by the live processes of a process group, from
    /proc (Linux); None elsewhere."""
    proc = Path("/proc")
    if not proc.is_dir():
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in proc.glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            # The command name may hold spaces: the fields after it are fixed.
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid:  # pgrp
                total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks
