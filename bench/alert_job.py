"""Bench: one alert cycle (``services.alerting.evaluate_alerts``) over 10,000 stored series.

In a temp STEWARD_HOME on SQLite, a worker process migrates and creates one client with 100
servers of 100 series each: 50 ``cpu_usage_percent`` (label ``core``) and 50
``disk_used_percent`` (label ``mount``), so every series meets a threshold rule and the disk
ones the forecast too (24 h of half-hourly samples, 49 points each). A first cycle sets the
client's watermark; then a sample per series arrives a minute later (one in ten above the
CPU or disk threshold) and the next cycle is timed: reading rows, rules and samples, the
numpy cycles, writing the alerts that changed and opening their tickets through the service
desk (routing and SLA included). A third cycle a minute later (no new data)
is timed too.

The last line reads ``alert_job_10k: <s> s (target: report)``. Options: --assets, --per-asset.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.lib.harness import REPO, temp_home

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def worker(assets: int, per_asset: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "steward.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from steward.monitoring.models import Asset, Series
    from steward.monitoring.services.alerting import evaluate_alerts
    from steward.monitoring.services.samples import write_samples
    from steward.tenancy.services import create_client

    call_command("migrate", verbosity=0)
    client = create_client(name="Bench Client", code="bench")
    servers = Asset.objects.bulk_create(
        Asset(client=client, name=f"srv-{n:03}", kind="server", key=f"srv-{n}")
        for n in range(assets)
    )
    half = per_asset // 2
    rows = [
        Series(
            client=client,
            asset=server,
            metric="cpu_usage_percent" if i < half else "disk_used_percent",
            labels={"core": str(i)} if i < half else {"mount": f"/m{i}"},
            key=f"{server.pk}-{i}",
        )
        for server in servers
        for i in range(per_asset)
    ]
    series = Series.objects.bulk_create(rows, batch_size=2000)
    ms = int(NOW.timestamp() * 1000)
    history = [
        (s.pk, ms - step * 1_800_000, 60.0 + (48 - step) * 0.1)
        for s in series
        if s.metric == "disk_used_percent"
        for step in range(48, -1, -1)
    ]
    with transaction.atomic():
        write_samples(history)
    evaluate_alerts(NOW)  # the first cycle: the watermark
    minute = NOW + timedelta(minutes=1)
    fresh = [(s.pk, ms + 60_000, 95.0 if n % 10 == 0 else 50.0) for n, s in enumerate(series)]
    with transaction.atomic():
        write_samples(fresh)
    started = time.perf_counter()
    busy = evaluate_alerts(minute)
    busy_s = time.perf_counter() - started
    started = time.perf_counter()
    quiet = evaluate_alerts(minute + timedelta(minutes=1))
    quiet_s = time.perf_counter() - started
    print(
        json.dumps(
            {
                "series": len(series),
                "busy_s": busy_s,
                "quiet_s": quiet_s,
                "evaluated": busy.evaluated,
                "transitions": busy.transitions + quiet.transitions,
                "told": busy.told,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=int, default=100)
    parser.add_argument("--per-asset", type=int, default=100)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.assets, args.per_asset)
        return
    with temp_home("steward-alert-job-") as home:
        command = [sys.executable, __file__, "--worker", "--assets", str(args.assets),
                   "--per-asset", str(args.per_asset)]  # fmt: skip
        done = subprocess.run(command, env=home.env, cwd=REPO, stdout=subprocess.PIPE, text=True)
        if done.returncode != 0:
            raise SystemExit(f"worker failed ({done.returncode})")
        result = json.loads(done.stdout.strip().splitlines()[-1])
    print(
        f"{result['series']} series, {result['evaluated']} (rule, series) pairs evaluated, "
        f"{result['transitions']} transitions, {result['told']} tickets opened; "
        f"the next cycle (no new data): "
        f"{result['quiet_s']:.2f} s"
    )
    print(f"alert_job_10k: {result['busy_s']:.2f} s (target: report)")


if __name__ == "__main__":
    main()
