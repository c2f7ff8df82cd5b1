"""Bench: samples stored per second through ``POST /api/v1/ingest``.

For each database (SQLite in a temp STEWARD_HOME, then a fresh PostgreSQL database on
127.0.0.1:5432 as user postgres, dropped afterwards):

1. a worker migrates, creates a client with 100 assets and a collector, and prints its token;
2. `steward serve` starts (one process per core); a warm-up batch per 2,500 series reports
   the assets and creates the 10,000 series (100 assets x 100 label sets);
3. 4 uploader processes, each with its batches built and gzip-compressed beforehand (so the
   bench measures the server, not the JSON encoder), post batches of 5,000 samples (2,500
   series x 2 points) over keep-alive connections for ~20 s;
4. the worker counts the sample rows in the database. Samples/s = rows stored during the
   run / the run's wall time; CPU = the server's process group (psutil) over the run, per
   sample (PostgreSQL's own processes are not in it).

The last lines read ``ingest_samples_per_s_<db>: N samples/s (target > 100000)``.
Options: --duration, --only sqlite|postgres, --uploaders, --batches, --profile FILE: instead,
post 60 batches in one process through Django's test client under pyinstrument and write the
profile to FILE.<db>.txt (how the hot spots were found).
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import json
import multiprocessing
import os
import subprocess
import sys
import time
from collections import Counter
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.lib.harness import REPO, Home, postgres_available, postgres_database, serving, temp_home

ASSETS, LABEL_SETS = 100, 100
SERIES = ASSETS * LABEL_SETS
PER_BATCH_SERIES, POINTS = 2_500, 2
TARGET = 100_000
T0 = 1_796_000_000  # Unix seconds of the first point


# --- The worker (runs inside the home, with Django) ----------------------------------------------


def worker(action: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "steward.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from steward.monitoring.models import Sample
    from steward.monitoring.services import create_collector
    from steward.tenancy.services import create_client

    if action == "count":
        print(json.dumps({"samples": Sample.objects.count()}))
        return
    call_command("migrate", verbosity=0)
    client = create_client(name="Bench Client", code="bench")
    _collector, token = create_collector(client, kind="collector", name="bench")
    if action == "setup":
        print(json.dumps({"token": token}))
    else:
        profile_in_process(token, Path(os.environ["STEWARD_BENCH_PROFILE"]))


def profile_in_process(token: str, out: Path) -> None:
    """Warm up, then 60 batches through the whole Django stack under pyinstrument."""
    from django.test import Client
    from pyinstrument import Profiler

    http = Client(headers={"Authorization": f"Bearer {token}", "Content-Encoding": "gzip"})
    for data in warmup_bodies():
        http.post("/api/v1/ingest", data, content_type="application/json")
    bodies = uploader_bodies(0, 1, 60)
    profiler = Profiler()
    profiler.start()
    started, cpu = time.perf_counter(), time.process_time()
    for data in bodies:
        assert http.post("/api/v1/ingest", data, content_type="application/json").status_code == 200
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    profiler.stop()
    out.write_text(profiler.output_text(unicode=True, show_all=False))
    samples = len(bodies) * PER_BATCH_SERIES * POINTS
    print(json.dumps({"samples_per_s": samples / wall, "cpu_us": cpu / samples * 1e6}))


def run_worker(home: Home, action: str) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", action]
    done = subprocess.run(command, env=home.env, cwd=REPO, stdout=subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise SystemExit(f"the {action} worker failed ({done.returncode})")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


# --- Batches and uploaders ----------------------------------------------------------------------


def series_item(n: int, points: list[list[float]]) -> dict[str, Any]:
    asset, label_set = divmod(n, LABEL_SETS)
    labels = {
        "cpu": str(label_set % 25),
        "mode": ("user", "system", "iowait", "idle")[label_set // 25],
    }
    return {"metric": "node_cpu_seconds_total", "labels": labels, "asset": f"bench-{asset:03d}",
            "points": points}  # fmt: skip


def body(batch_id: str, series: list[dict[str, Any]], **extra: Any) -> bytes:
    return gzip.compress(json.dumps({"batch_id": batch_id, "series": series, **extra}).encode(), 1)


def warmup_bodies() -> list[bytes]:
    assets = [{"key": f"bench-{a:03d}", "hostname": f"bench-{a:03d}"} for a in range(ASSETS)]
    windows = [
        range(start, start + PER_BATCH_SERIES) for start in range(0, SERIES, PER_BATCH_SERIES)
    ]
    return [
        body(f"warmup-{w.start}", [series_item(n, [[T0 - 60, 0.0]]) for n in w], assets=assets)
        for w in windows
    ]


def uploader_bodies(k: int, uploaders: int, count: int) -> list[bytes]:
    """Batch n of uploader k: 2,500 series from a rotating window, 2 points each at times no
    other batch uses for those series."""
    bodies = []
    for n in range(count):
        slot = n * uploaders + k
        start = (slot * PER_BATCH_SERIES) % SERIES
        t = T0 + slot * POINTS
        series = [
            series_item((start + i) % SERIES, [[t + j, float(i + j)] for j in range(POINTS)])
            for i in range(PER_BATCH_SERIES)
        ]
        bodies.append(body(f"u{k}-{n}", series))
    return bodies


def post(conn: http.client.HTTPConnection, token: str, data: bytes) -> tuple[int, str]:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json",
               "Content-Encoding": "gzip"}  # fmt: skip
    conn.request("POST", "/api/v1/ingest", data, headers)
    response = conn.getresponse()
    answer = response.read()
    retry = response.getheader("Retry-After") or ""
    if response.status != 200:
        return response.status, answer.decode(errors="replace")[:200] + retry
    return 200, ""


def upload(k: int, args: dict[str, Any], ready: Any, go: Any, out: Any) -> None:
    bodies = uploader_bodies(k, args["uploaders"], args["batches"])
    ready.put(k)
    go.wait()
    conn = http.client.HTTPConnection("127.0.0.1", args["port"], timeout=120)
    statuses: Counter[int] = Counter()
    first_error = ""
    deadline = time.monotonic() + args["duration"]
    sent = 0
    for data in bodies:
        if time.monotonic() >= deadline:
            break
        status, error = post(conn, args["token"], data)
        statuses[status] += 1
        sent += 1
        if status == 429:
            time.sleep(float(error.rsplit("}", 1)[-1] or 1))
        if error and not first_error:
            first_error = f"{status}: {error}"
    out.put({"k": k, "sent": sent, "statuses": dict(statuses), "error": first_error,
             "ran_out": sent == len(bodies), "ended": time.monotonic()})  # fmt: skip


def group_cpu(pgid: int) -> float:
    total = 0.0
    for proc in psutil.process_iter(["pid"]):
        try:
            if os.getpgid(proc.pid) == pgid:
                times = proc.cpu_times()
                total += times.user + times.system
        except (psutil.Error, ProcessLookupError):
            continue
    return total


def measure(home: Home, args: argparse.Namespace, label: str) -> dict[str, Any]:
    if args.profile:
        home.env["STEWARD_BENCH_PROFILE"] = str(Path(f"{args.profile}.{label}.txt").resolve())
        found = run_worker(home, "profile")
        print(
            f"  profiled (with the profiler's overhead): {found['samples_per_s']:,.0f} "
            f"samples/s, {found['cpu_us']:.1f} µs CPU a sample; see {args.profile}.{label}.txt"
        )
        raise SystemExit(0)
    token = run_worker(home, "setup")["token"]
    with serving(home) as served:
        conn = http.client.HTTPConnection("127.0.0.1", served.port, timeout=120)
        for data in warmup_bodies():
            status, error = post(conn, token, data)
            if status != 200:
                raise SystemExit(f"warm-up refused: {status} {error}")
        before = run_worker(home, "count")["samples"]
        ctx = multiprocessing.get_context("fork")
        ready, out, go = ctx.Queue(), ctx.Queue(), ctx.Event()
        settings = {"uploaders": args.uploaders, "batches": args.batches, "port": served.port,
                    "token": token, "duration": args.duration}  # fmt: skip
        procs = [ctx.Process(target=upload, args=(k, settings, ready, go, out))
                 for k in range(args.uploaders)]  # fmt: skip
        for p in procs:
            p.start()
        for _ in procs:
            ready.get(timeout=300)
        cpu_before = group_cpu(served.pgid)
        started = time.monotonic()
        go.set()
        results = [out.get(timeout=args.duration + 300) for _ in procs]
        wall = max(r["ended"] for r in results) - started
        cpu = group_cpu(served.pgid) - cpu_before
        for p in procs:
            p.join()
    stored = run_worker(home, "count")["samples"] - before
    statuses: Counter[int] = Counter()
    for r in results:
        statuses.update({int(k): v for k, v in r["statuses"].items()})
    sent = sum(r["sent"] for r in results)
    print(f"  {sent} batches in {wall:.1f} s, statuses {dict(statuses)}; {stored} samples stored")
    for r in results:
        if r["error"]:
            print(f"  uploader {r['k']}: {r['error']}")
        if r["ran_out"]:
            print(f"  uploader {r['k']} ran out of batches: raise --batches")
    rate, per_sample = stored / wall, cpu / max(stored, 1)
    print(f"  {rate:,.0f} samples/s; server CPU {cpu:.1f} s = {per_sample * 1e6:.1f} µs/sample")
    return {"rate": rate, "cpu_per_sample": per_sample}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--uploaders", type=int, default=4)
    parser.add_argument("--batches", type=int, default=300, help="built per uploader")
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--profile", help="profile in one process into FILE.<db>.txt")
    parser.add_argument("--worker", choices=["setup", "count", "profile"], help=argparse.SUPPRESS)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    if args.worker:
        worker(args.worker)
        return
    results: dict[str, dict[str, Any]] = {}
    if args.only in (None, "sqlite"):
        print("SQLite:")
        with temp_home("steward-bench-ingest-sqlite-") as home:
            results["sqlite"] = measure(home, args, "sqlite")
    if args.only in (None, "postgres"):
        if postgres_available():
            print("PostgreSQL:")
            with ExitStack() as stack:
                url = stack.enter_context(postgres_database("steward_bench_ingest"))
                home = stack.enter_context(temp_home("steward-bench-ingest-pg-", url))
                results["postgres"] = measure(home, args, "postgres")
        else:
            print("PostgreSQL: not reachable at 127.0.0.1:5432, skipped")
    print()
    for name, r in results.items():
        print(f"ingest_cpu_per_sample_{name}: {r['cpu_per_sample'] * 1e6:.1f} µs (target: report)")
    for name, r in results.items():
        print(f"ingest_samples_per_s_{name}: {r['rate']:.0f} samples/s (target > {TARGET})")


if __name__ == "__main__":
    main()
