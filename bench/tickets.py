"""Bench: import 100,000 historical tickets (~8 events each), then read them back.

For each database (SQLite in a temp STEWARD_HOME, then a fresh PostgreSQL database on
127.0.0.1:5432 as user postgres, dropped afterwards), a worker process:

1. migrates and runs the tenancy and agreements seeders of `steward demo --clients 200
   --months 13` (not the demo's own tickets): clients in six countries, each with an agreement
   and an SLA policy on its office-hours calendar (P1 on 24x7), contacts and technicians;
2. writes a JSON Lines file of 100,000 tickets spread over the last year across the clients:
   created, assigned, the first public reply, in 40 % a wait on the client and the resume, one
   or two internal notes, resolved and closed (5 % reopened once; the latest still open);
3. imports it through ``steward.servicedesk.importing.import_tickets`` (what `steward import
   tickets` runs), timed: parse, SLA outcomes computed, bulk insert, commit;
4. times ``steward.servicedesk.stats.attainment`` per client x priority for the last full
   month and for the whole year.

Then `steward serve` runs on that home and bench/lib/loadgen.py keeps 16 connections busy on
`GET /api/v1/tickets` with filters (client, status, priority, breached) for 15 s.

Targets: import under 60 s on each database, list p99 under 100 ms, attainment under 0.5 s.
Options: --tickets, --only sqlite|postgres, --duration, --profile (pyinstrument on the import,
written to the file named), --skip-load.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.lib.harness import REPO, Home, postgres_available, postgres_database, serving, temp_home

TICKETS, CLIENTS = 100_000, 200
TARGET_IMPORT_S, TARGET_P99_MS, TARGET_ATTAINMENT_S = 60.0, 100.0, 0.5
PRIORITIES = ("P1", "P2", "P3", "P4")
PRIORITY_WEIGHTS = (5, 15, 40, 40)
SEEDERS = ("tenancy", "agreements")  # the demo's tickets would be 100,000 more
MINUTE, HOUR, DAY = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)


# --- The worker (runs inside the home, with Django) ----------------------------------------------


def ticket_history(rng: random.Random, created: datetime, by: list[str]) -> list[dict[str, Any]]:
    """One ticket's events after creation, in the workflow's order."""
    tech = rng.choice(by)
    t = created + rng.randint(1, 30) * MINUTE
    events: list[dict[str, Any]] = [{"at": t, "type": "status", "status": "assigned", "by": tech}]
    t += rng.randint(5, 180) * MINUTE
    events.append({"at": t, "type": "reply", "body": "Looking into it now.", "by": tech})
    if rng.random() < 0.4:
        t += rng.randint(10, 240) * MINUTE
        events.append(
            {"at": t, "type": "status", "status": "waiting_on_client", "body": "asked for logs"}
        )
        t += rng.randint(1, 48) * HOUR
        events.append({"at": t, "type": "status", "status": "in_progress", "by": tech})
    for _ in range(rng.randint(1, 2)):
        t += rng.randint(5, 600) * MINUTE
        events.append({"at": t, "type": "note", "body": "Checked the event log.", "by": tech})
    t += rng.randint(10, 3000) * MINUTE
    events.append({"at": t, "type": "status", "status": "resolved", "by": tech})
    if rng.random() < 0.05:
        t += rng.randint(1, 48) * HOUR
        events.append({"at": t, "type": "status", "status": "in_progress", "body": "not fixed"})
        t += rng.randint(1, 24) * HOUR
        events.append({"at": t, "type": "status", "status": "resolved", "by": tech})
    t += 3 * DAY
    events.append({"at": t, "type": "status", "status": "closed"})
    return events


def write_tickets(path: Path, count: int, now: datetime) -> dict[str, int]:
    """The JSON Lines file of ``count`` tickets; returns the client ids by code."""
    # Django is configured by the worker before this runs.
    from steward.agreements.models import Agreement
    from steward.tenancy.models import Client, Contact, User

    rng = random.Random(42)
    year_ago = now - 365 * DAY
    clients = list(Client.objects.order_by("pk"))
    starts = dict(Agreement.objects.values_list("client_id", "start_date"))
    contacts: dict[int, list[str]] = {}
    for client_id, email in Contact.objects.values_list("client_id", "email"):
        contacts.setdefault(client_id, []).append(email)
    techs = list(User.objects.filter(role="technician").values_list("username", flat=True))
    with path.open("w") as out:
        for n in range(count):
            client = clients[n % len(clients)]
            start = datetime.combine(starts[client.pk], datetime.min.time(), UTC) + DAY
            first = max(year_ago, start)
            created = first + (now - HOUR - first) * rng.random()
            created = created.replace(microsecond=0)
            events = [e for e in ticket_history(rng, created, techs) if e["at"] <= now]
            row = {
                "external_ref": f"HIST-{n:06d}",
                "client": client.code,
                "subject": f"Historic ticket {n}",
                "description": "Imported from the previous PSA.",
                "priority": rng.choices(PRIORITIES, PRIORITY_WEIGHTS)[0],
                "requester_email": rng.choice(contacts[client.pk]),
                "created_at": created.isoformat(),
                "events": [e | {"at": e["at"].isoformat()} for e in events],
            }
            out.write(json.dumps(row) + "\n")
    return {c.code: c.pk for c in clients}


def seed() -> None:
    """Migrate, then the demo's clients, staff, agreements and SLA policies."""
    from django.core.management import call_command
    from django.utils import timezone
    from django.utils.module_loading import autodiscover_modules

    from steward.core.demo import DemoContext, registered_seeders, run_seeders

    call_command("migrate", verbosity=0)
    autodiscover_modules("demo")
    context = DemoContext(seed=42, now=timezone.now(), months=13, client_count=CLIENTS)
    run_seeders(context, [s for s in registered_seeders() if s.name in SEEDERS])


def timed_import(path: Path, args: argparse.Namespace, now: datetime) -> dict[str, Any]:
    """Import the file through ``import_tickets`` (what the CLI runs); wall and CPU seconds."""
    from steward.servicedesk.importing import import_tickets
    from steward.tenancy.models import User

    owner = User.objects.filter(role="owner").order_by("pk").first()
    assert owner is not None
    profiler = None
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler()
        profiler.start()
    started, cpu_started = time.perf_counter(), time.process_time()
    with path.open() as stream:
        report = import_tickets(stream, fmt="jsonl", user=owner, now=now)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    if profiler is not None:
        profiler.stop()
        Path(args.profile).write_text(profiler.output_text(unicode=True, show_all=False))
    if report.errors or report.duplicates or report.imported != args.tickets:
        raise SystemExit(f"import went wrong: {report.as_dict() | {'errors': report.errors[:5]}}")
    print(f"  imported {report.imported} tickets, {report.events} events", file=sys.stderr)
    return {"import_s": seconds, "import_cpu_s": cpu, "events": report.events}


def timed_attainment(now: datetime) -> dict[str, float]:
    """``stats.attainment`` per client x priority: the last full month, and the last year."""
    from steward.servicedesk import stats

    month_end = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    month_start = (month_end - DAY).replace(day=1)
    timings = {}
    for name, start, end in (("month", month_start, month_end), ("year", now - 365 * DAY, now)):
        began = time.perf_counter()
        rows = stats.attainment(start, end)
        timings[f"attainment_{name}_s"] = time.perf_counter() - began
        print(f"  attainment ({name}): {len(rows)} rows", file=sys.stderr)
    return timings


def worker(args: argparse.Namespace) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "steward.settings")
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    started = time.perf_counter()
    seed()
    print(
        f"  demo clients and agreements in {time.perf_counter() - started:.1f} s", file=sys.stderr
    )
    now = timezone.now()
    path = Path(os.environ["STEWARD_HOME"]) / "tickets.jsonl"
    started = time.perf_counter()
    client_ids = write_tickets(path, args.tickets, now)
    took = time.perf_counter() - started
    print(
        f"  wrote {path.name} ({path.stat().st_size / 1e6:.0f} MB) in {took:.1f} s", file=sys.stderr
    )
    result = timed_import(path, args, now) | timed_attainment(now)
    connection.close()
    print(json.dumps(result | {"client_ids": list(client_ids.values())}))


# --- The driver --------------------------------------------------------------------------------


def run_worker(home: Home, args: argparse.Namespace) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--worker"]
    command += ["--tickets", str(args.tickets)]
    if args.profile:
        command += ["--profile", f"{args.profile}.{'pg' if home.database_url else 'sqlite'}.txt"]
    done = subprocess.run(command, env=home.env, cwd=REPO, stdout=subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise SystemExit(f"the worker failed ({done.returncode})")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def list_paths(client_ids: list[int]) -> list[str]:
    rng = random.Random(7)
    paths = []
    for n in range(40):
        query = [f"client_id={rng.choice(client_ids)}", "limit=50"]
        if n % 2 == 0:
            query.append(f"status={rng.choice(['closed', 'resolved', 'in_progress'])}")
        if n % 3 == 0:
            query.append(f"priority={rng.choice(PRIORITIES)}")
        if n % 5 == 0:
            query.append("breached=true")
        paths.append("/api/v1/tickets?" + "&".join(query))
    paths += ["/api/v1/tickets?status=closed&priority=P1&limit=50", "/api/v1/tickets?limit=50"]
    return paths


def load(home: Home, args: argparse.Namespace, client_ids: list[int]) -> dict[str, Any]:
    token = home.steward("token", "create", "owner", "--scopes", "read", "--name", "bench")
    with serving(home) as served:
        path_args = [arg for path in list_paths(client_ids) for arg in ("--path", path)]
        done = subprocess.run(
            [sys.executable, "-m", "bench.lib.loadgen", "--port", str(served.port), *path_args,
             "--token", token.strip(), "--duration", str(args.duration),
             "--concurrency", str(args.concurrency)],
            cwd=REPO, capture_output=True, text=True, check=True,
        )  # fmt: skip
    return dict(json.loads(done.stdout))


def measure(home: Home, args: argparse.Namespace) -> dict[str, Any]:
    result = run_worker(home, args)
    print(
        f"  import: {result['import_s']:.1f} s wall, {result['import_cpu_s']:.1f} s CPU "
        f"({result['events']} events)"
    )
    if not args.skip_load:
        result["load"] = load(home, args, result["client_ids"])
        r = result["load"]
        print(
            f"  list: {r['requests']} requests, {r['rps']:.0f} req/s, p50 {r['p50_ms']:.1f} ms, "
            f"p99 {r['p99_ms']:.1f} ms, errors {r['errors']}"
        )
        for problem in r["first_errors"]:
            print(f"  error: {problem}")
    return result


def report(results: dict[str, dict[str, Any]]) -> None:
    print()
    for name, r in results.items():
        if "load" in r:
            p99 = r["load"]["p99_ms"]
            print(f"tickets_list_{name}_p99: {p99:.1f} ms (target < {TARGET_P99_MS:.0f} ms)")
        for span in ("month", "year"):
            value = r[f"attainment_{span}_s"]
            print(
                f"tickets_attainment_{span}_{name}: {value:.3f} s "
                f"(target < {TARGET_ATTAINMENT_S} s)"
            )
    for name, r in results.items():
        print(f"tickets_import_{name}_cpu: {r['import_cpu_s']:.1f} s (target: report)")
    for name, r in results.items():
        print(
            f"tickets_import_{name}: {r['import_s']:.1f} s for {label(r)} "
            f"(target < {TARGET_IMPORT_S:.0f} s)"
        )
    if results:
        slowest = max(r["import_s"] for r in results.values())
        print(
            f"tickets_import_100k: {slowest:.1f} s, the slower database "
            f"(target < {TARGET_IMPORT_S:.0f} s)"
        )


def label(result: dict[str, Any]) -> str:
    return f"{len(result['client_ids'])} clients, {result['events']} events"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=TICKETS)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--duration", type=float, default=15.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--profile", help="write a pyinstrument profile of the import here")
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    if args.worker:
        worker(args)
        return
    results: dict[str, dict[str, Any]] = {}
    if args.only in (None, "sqlite"):
        print("SQLite:")
        with temp_home("steward-bench-tickets-sqlite-") as home:
            results["sqlite"] = measure(home, args)
    if args.only in (None, "postgres"):
        if postgres_available():
            print("PostgreSQL:")
            with ExitStack() as stack:
                url = stack.enter_context(postgres_database("steward_bench_tickets"))
                home = stack.enter_context(temp_home("steward-bench-tickets-pg-", url))
                results["postgres"] = measure(home, args)
        else:
            print("PostgreSQL: not reachable at 127.0.0.1:5432, skipped")
    report(results)


if __name__ == "__main__":
    main()
