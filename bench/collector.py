"""Bench: one collector process running 30,000 checks a minute.

1. A target farm on loopback: 2,500 HTTP endpoints and 2,500 TCP endpoints, each its own port,
   served by two asyncio processes (`--farm http|tcp`, started by this script).
2. A stub ingest server in this process: `GET /api/v1/ingest/assignments` answers 5,000 checks
   (one per endpoint, every 10 s), `POST /api/v1/ingest` keeps each gzip batch.
3. One collector, `python -m steward.collector`, in its own process, the way a client site runs
   it. After a warm-up (every check's first slot, so the measured window is steady state), the
   results whose slot falls in the measured window are compared with the slots the collector's
   own grid (`steward.collector.scheduler.phase`) says were due: how many ran, how late each
   started (`at` minus slot), and the CPU the collector used (psutil) over that window.

Targets: every slot run, p99 start lag under 250 ms, the collector under one core.
Options: --duration (measured seconds), --warmup, --http, --tcp, --interval, --concurrency,
--profile FILE (the collector under pyinstrument, its text report written to FILE).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gzip
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.lib.harness import REPO
from steward.collector.scheduler import phase

TARGET_P99_MS, TARGET_CORES = 250.0, 1.0
TOKEN = "stc_bench_secret"
HTTP_RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok"


# --- The target farm (runs as `--farm http|tcp COUNT`) --------------------------------------------


class HttpTarget(asyncio.Protocol):
    """Answers every request on the connection with a fixed 200, keeping it alive."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport: asyncio.Transport = transport  # type: ignore[assignment]
        self.pending = b""

    def data_received(self, data: bytes) -> None:
        self.pending += data
        while b"\r\n\r\n" in self.pending:
            _, self.pending = self.pending.split(b"\r\n\r\n", 1)
            self.transport.write(HTTP_RESPONSE)


class TcpTarget(asyncio.Protocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        transport.close()


async def serve_farm(kind: str, count: int) -> None:
    loop = asyncio.get_running_loop()
    protocol = HttpTarget if kind == "http" else TcpTarget
    servers = [
        await loop.create_server(protocol, "127.0.0.1", 0, backlog=256) for _ in range(count)
    ]
    ports = [server.sockets[0].getsockname()[1] for server in servers]
    print(json.dumps(ports), flush=True)
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()


def start_farm(kind: str, count: int) -> tuple[subprocess.Popen[str], list[int]]:
    process = subprocess.Popen(
        [sys.executable, __file__, "--farm", kind, "--farm-count", str(count)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    return process, json.loads(process.stdout.readline())


# --- The stub ingest server -----------------------------------------------------------------------


class Ingest:
    def __init__(self, checks: list[dict[str, Any]]) -> None:
        self.assignments = json.dumps({"version": "bench", "checks": checks}).encode()
        self.bodies: list[bytes] = []
        self.lock = threading.Lock()
        ingest = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                self.answer(ingest.assignments)

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with ingest.lock:
                    ingest.bodies.append(body)
                self.answer(b'{"duplicate": false, "errors": []}')

            def answer(self, data: bytes) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, args=(0.1,), daemon=True).start()

    def results(self) -> list[dict[str, Any]]:
        with self.lock:
            bodies = list(self.bodies)
        batches = {}
        for body in bodies:
            batch = json.loads(gzip.decompress(body))
            batches[batch["batch_id"]] = batch
        return [r for batch in batches.values() for r in batch.get("results", [])]


# --- Measuring ------------------------------------------------------------------------------------


def assignments(
    http_ports: list[int], tcp_ports: list[int], interval: float
) -> list[dict[str, Any]]:
    checks: list[dict[str, Any]] = []
    for port in http_ports:
        url = f"http://127.0.0.1:{port}/"
        checks.append({"id": len(checks) + 1, "type": "http", "params": {"url": url}})
    for port in tcp_ports:
        params = {"host": "127.0.0.1", "port": port}
        checks.append({"id": len(checks) + 1, "type": "tcp", "params": params})
    for check in checks:
        check.update(interval_s=interval, timeout_s=5)
    return checks


def slots_in(check_id: int, interval: float, start: float, end: float) -> int:
    """How many slots of the check's grid fall in [start, end)."""
    p = phase(check_id, interval)
    first = start + (p - start) % interval
    return 0 if first >= end else int((end - first - 1e-9) // interval) + 1


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(q * len(ordered) + 0.999999) - 1))]


def measure(args: argparse.Namespace) -> dict[str, Any]:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = args.http + args.tcp + 2_000
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, wanted)), hard))
    http_farm, http_ports = start_farm("http", args.http)
    tcp_farm, tcp_ports = start_farm("tcp", args.tcp)
    checks = assignments(http_ports, tcp_ports, args.interval)
    ingest = Ingest(checks)
    print(f"farm: {len(http_ports)} HTTP + {len(tcp_ports)} TCP endpoints; ingest {ingest.url}")
    state = Path(tempfile.mkdtemp(prefix="steward-bench-collector-"))
    env = {**os.environ, "PYTHONPATH": str(REPO), "STEWARD_COLLECTOR_TOKEN": TOKEN}
    log_file = (state / "collector.log").open("w")
    profiler = ["-m", "pyinstrument", "-r", "text", "-o", args.profile] if args.profile else []
    collector = subprocess.Popen(
        [
            sys.executable,
            *profiler,
            "-m",
            "steward.collector",
            "--server",
            ingest.url,
            "--state-dir",
            str(state),
            "--concurrency",
            str(args.concurrency),
        ],
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )
    try:
        process = psutil.Process(collector.pid)
        time.sleep(args.warmup)
        start, cpu_start = time.time(), sum(process.cpu_times()[:2])
        time.sleep(args.duration)
        end, cpu_end = time.time(), sum(process.cpu_times()[:2])
        time.sleep(3.0)  # the last slots finish and ship
    finally:
        collector.send_signal(signal.SIGINT)  # as SIGTERM, and lets a profiler write its report
        collector.wait(timeout=30)
        for farm in (http_farm, tcp_farm):
            farm.terminate()
            farm.wait()
        ingest.server.shutdown()
    try:
        return analyse(args, checks, ingest.results(), start, end, cpu_end - cpu_start, state)
    finally:
        log_file.close()
        shutil.rmtree(state, ignore_errors=True)


def analyse(
    args: argparse.Namespace,
    checks: list[dict[str, Any]],
    results: list[dict[str, Any]],
    start: float,
    end: float,
    cpu_s: float,
    state: Path,
) -> dict[str, Any]:
    interval = args.interval
    expected = sum(slots_in(c["id"], interval, start, end) for c in checks)
    lags: list[float] = []
    states: dict[str, int] = {}
    for result in results:
        at = datetime.fromisoformat(result["at"]).timestamp()
        lag = (at - phase(result["check_id"], interval)) % interval
        if start <= at - lag < end:
            lags.append(lag)
            states[result["state"]] = states.get(result["state"], 0) + 1
    on_time = sum(1 for lag in lags if lag < TARGET_P99_MS / 1000)
    return {
        "expected": expected,
        "ran": len(lags),
        "on_time": on_time,
        "states": states,
        "p50_ms": quantile(lags, 0.5) * 1000 if lags else float("nan"),
        "p99_ms": quantile(lags, 0.99) * 1000 if lags else float("nan"),
        "max_ms": max(lags) * 1000 if lags else float("nan"),
        "cores": cpu_s / (end - start),
        "seconds": end - start,
        "log": (state / "collector.log").read_text().strip().splitlines()[-3:],
    }


def report(r: dict[str, Any]) -> None:
    per_minute = r["ran"] / r["seconds"] * 60
    print(
        f"checks: {r['ran']} run of {r['expected']} slots due in {r['seconds']:.0f} s "
        f"({per_minute:,.0f} a minute); states {r['states']}"
    )
    share = r["on_time"] / r["expected"] if r["expected"] else 0.0
    print(f"on time (started < {TARGET_P99_MS:.0f} ms after its slot): {share:.2%}")
    print(
        f"start lag: p50 {r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms, max {r['max_ms']:.1f} ms"
    )
    for line in r["log"]:
        print(f"collector log: {line}")
    print()
    print(f"collector_cpu_cores: {r['cores']:.2f} cores (target < {TARGET_CORES:.0f})")
    print(f"collector_start_lag_p99: {r['p99_ms']:.1f} ms (target < {TARGET_P99_MS:.0f} ms)")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--warmup", type=float, default=15.0)
    parser.add_argument("--http", type=int, default=2_500)
    parser.add_argument("--tcp", type=int, default=2_500)
    parser.add_argument("--interval", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--profile", help="run the collector under pyinstrument, report here")
    parser.add_argument("--farm", choices=["http", "tcp"], help=argparse.SUPPRESS)
    parser.add_argument("--farm-count", type=int, help=argparse.SUPPRESS)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    if args.farm:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(serve_farm(args.farm, args.farm_count))
        return
    report(measure(args))


if __name__ == "__main__":
    main()
