"""Bench: `GET /api/v1/clients?limit=50&offset=…` with 200 clients, on SQLite and PostgreSQL.

For each database: a throwaway STEWARD_HOME (and for PostgreSQL a fresh database, dropped
afterwards), `steward migrate`, `steward demo --clients 200`, a read token for the owner, then
`steward serve` on a free loopback port. A second process (bench/lib/loadgen.py) keeps 16
keep-alive connections busy for 20 s, cycling through offsets 0, 10 … 190, after a 2 s warm-up,
and checks a sample of bodies. First the driver is run against a trivial server, to show it can
drive far more than the target, so the figures are the server's.

Targets: p99 under 50 ms and over 500 requests/s. Options: --duration, --concurrency,
--only sqlite|postgres, and --serve-arg to pass options to `steward serve` (e.g. --workers 1).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.lib.harness import (
    REPO,
    Home,
    free_port,
    group_cpu_seconds,
    postgres_available,
    postgres_database,
    serving,
    temp_home,
)

CLIENTS, LIMIT = 200, 50
TARGET_P99_MS, TARGET_RPS = 50.0, 500.0
LOADGEN = [sys.executable, "-m", "bench.lib.loadgen"]


def paths() -> list[str]:
    return [f"/api/v1/clients?limit={LIMIT}&offset={offset}" for offset in range(0, CLIENTS, 10)]


def loadgen(port: int, *args: str) -> dict[str, Any]:
    done = subprocess.run(
        [*LOADGEN, "--port", str(port), *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(done.stdout))


def driver_capacity() -> float:
    """Requests/s the load generator reaches against a server that does no work."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "bench.lib.fixed_server", "--port", str(port)], cwd=REPO
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                result = loadgen(port, "--path", "/", "--duration", "3", "--warmup", "0.5")
                return float(result["rps"])
            except subprocess.CalledProcessError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
    finally:
        server.terminate()
        server.wait()


def prepare(home: Home) -> str:
    """Migrate, seed 200 demo clients, and return a read token of the owner."""
    started = time.perf_counter()
    home.steward("migrate", "--no-input", "-v", "0")
    home.steward("demo", "--clients", str(CLIENTS))
    token = home.steward("token", "create", "owner", "--scopes", "read", "--name", "bench")
    print(f"  prepared in {time.perf_counter() - started:.1f} s (migrate, demo, token)")
    return token.strip()


def measure(home: Home, args: argparse.Namespace) -> dict[str, Any]:
    token = prepare(home)
    with serving(home, *args.serve_arg) as served:
        path_args = [arg for path in paths() for arg in ("--path", path)]
        # The CPU reading brackets the warm-up too, so it is divided by both counts.
        cpu_before = group_cpu_seconds(served.pgid)
        result = loadgen(
            served.port,
            *path_args,
            "--token", token,
            "--duration", str(args.duration),
            "--concurrency", str(args.concurrency),
            "--check-json", f"count={CLIENTS}",
        )  # fmt: skip
        cpu_after = group_cpu_seconds(served.pgid)
    if cpu_before is not None and cpu_after is not None and result["requests"]:
        served_requests = result["requests"] + result["warmup_requests"]
        result["server_cpu_ms"] = (cpu_after - cpu_before) * 1000 / served_requests
    return result


def report(results: dict[str, dict[str, Any]]) -> None:
    print()
    print(f"{'database':<10} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p90 ms':>8} "
          f"{'p99 ms':>8} {'max ms':>8} {'cpu ms/req':>10} {'errors':>7}")  # fmt: skip
    for name, r in results.items():
        cpu = f"{r['server_cpu_ms']:.2f}" if "server_cpu_ms" in r else "n/a"
        print(
            f"{name:<10} {r['requests']:>9} {r['rps']:>8.0f} {r['p50_ms']:>8.1f} "
            f"{r['p90_ms']:>8.1f} {r['p99_ms']:>8.1f} {r['max_ms']:>8.1f} {cpu:>10} "
            f"{r['errors']:>7}"
        )
        for problem in r["first_errors"]:
            print(f"  error: {problem}")
    print()
    for name, r in results.items():
        print(f"api_read_{name}_p99: {r['p99_ms']:.1f} ms (target < {TARGET_P99_MS:.0f} ms)")
        print(f"api_read_{name}_rps: {r['rps']:.0f} req/s (target > {TARGET_RPS:.0f} req/s)")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--serve-arg", action="append", default=[], help="for `steward serve`")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    capacity = driver_capacity()
    print(f"load generator alone: {capacity:.0f} req/s against a server that does no work")
    results: dict[str, dict[str, Any]] = {}
    if args.only in (None, "sqlite"):
        print("SQLite:")
        with temp_home("steward-bench-api-sqlite-") as home:
            results["sqlite"] = measure(home, args)
    if args.only in (None, "postgres"):
        if postgres_available():
            print("PostgreSQL:")
            with ExitStack() as stack:
                url = stack.enter_context(postgres_database("steward_bench_api"))
                home = stack.enter_context(temp_home("steward-bench-api-pg-", url))
                results["postgres"] = measure(home, args)
        else:
            print("PostgreSQL: not reachable at 127.0.0.1:5432, skipped")
    report(results)
    if any(r["errors"] for r in results.values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
