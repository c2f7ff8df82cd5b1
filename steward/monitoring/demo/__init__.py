"""Demo data for monitoring: per demo client a handful of assets (servers, workstations, a
firewall, switches) with their agents' facts, a site probe running HTTP, TLS, TCP, ping and
SNMP checks, three months of check results and hourly rollups, and raw samples (CPU, memory,
disk) for the last two days. On every third client a disk is filling up now, so its forecast
fires; on every third from the second a data disk filled up once in the history, its forecast
alert opened a ticket and a technician resolved it before the predicted crossing.

Volume: the history is computed in arrays (``history.py``) and inserted in bulk, one
transaction and one audit entry per client (the importer's rule); assets, collectors and
checks go through the services. Deterministic: each client draws from generators seeded from
the run's seed and the client's code, so other seeders and other clients change nothing.
"""

from __future__ import annotations

import zlib
from datetime import UTC, datetime, time, timedelta
from random import Random
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from django.db import transaction

from steward.core import audit
from steward.core.bulk import bulk_session
from steward.core.choices import AuditAction
from steward.core.demo import DemoContext, demo_seeder
from steward.monitoring.demo import history
from steward.monitoring.demo.fleet import Built, Plan, create_fleet, plan_fleet
from steward.monitoring.demo.incidents import seed_episode
from steward.monitoring.demo.writing import db_times, insert_results, insert_rollups
from steward.monitoring.models import Asset, AssetFact, CheckState, Collector
from steward.monitoring.services.samples import SeriesRef, resolve_series, write_samples
from steward.tenancy.choices import Role
from steward.tenancy.models import Client, User

HISTORY_MONTHS = 3
SUMMARIES = {
    "http": ("HTTP 200 OK", "connection timed out after 10 s"),
    "tls": ("certificate valid for 64 days", "handshake failed: connection reset"),
    "tcp": ("port 443 open", "connection refused"),
    "ping": ("3/3 replies", "100% packet loss"),
    "snmp": ("sysUpTime answered", "no SNMP response (timeout)"),
}
UNKNOWN_SUMMARY = "the collector could not run the check"


def history_start(ctx: DemoContext, client: Client) -> datetime:
    """Three months back (fewer when the demo is shorter, or the client newer), on the hour."""
    earliest = ctx.now - timedelta(days=30 * min(ctx.months, HISTORY_MONTHS))
    if client.onboarded_on is not None:
        zone = ZoneInfo(client.timezone)
        onboarded = datetime.combine(client.onboarded_on, time(0), tzinfo=zone).astimezone(UTC)
        earliest = max(earliest, onboarded)
    return earliest.replace(minute=0, second=0, microsecond=0)


def numpy_rng(*parts: object) -> np.random.Generator:
    """A generator seeded from text (``hash()`` of a str changes with every process)."""
    return np.random.default_rng(zlib.crc32("/".join(map(str, parts)).encode()))


def write_metrics(
    ctx: DemoContext, client: Client, plan: Plan, built: Built, start: datetime
) -> dict[str, Any]:
    """Series, hourly rollups and raw samples of every metric in the plan."""
    refs: list[tuple[SeriesRef, Any]] = []
    machine_of: dict[int, str] = {}  # seeds by name: ids differ from run to run
    for machine in plan.machines:
        asset = built.assets[machine.name]
        for metric in machine.metrics:
            machine_of[id(metric)] = machine.name
            labels = tuple(sorted(metric.labels.items()))
            refs.append(((client.pk, ("asset", asset.pk), metric.name, labels), metric))
    ids = resolve_series([ref for ref, _ in refs])
    now_s, start_s = int(ctx.now.timestamp()), int(start.timestamp())
    rollups = samples = 0
    series_of: dict[int, int] = {}
    for ref, metric in refs:
        series_id = ids[ref]
        series_of[id(metric)] = series_id
        rng = numpy_rng(
            ctx.seed, ctx.seeder_name, client.code, machine_of[id(metric)], ref[2], ref[3]
        )
        made = history.metric_history(metric.load, start_s, now_s, rng)
        rows = made.rollups.rows(series_id)
        insert_rollups(rows)
        write_samples(made.sample_rows(series_id))
        rollups, samples = rollups + len(rows), samples + len(made.sample_ts_ms)
    return {"series": len(refs), "rollups": rollups, "samples": samples, "ids": series_of}


def write_checks(ctx: DemoContext, client: Client, built: Built, start: datetime) -> int:
    """Results of every check from ``start`` to now, and each check's current state."""
    now_s, start_s = int(ctx.now.timestamp()), int(start.timestamp())
    states, written = [], 0
    for check in built.checks:
        rng = numpy_rng(ctx.seed, ctx.seeder_name, client.code, check.name)
        outages = _outages(check.type, rng)
        made = history.check_history(start_s, now_s, check.interval_s, rng, outages)  # fmt: skip
        ok_text, bad_text = SUMMARIES[check.type]
        texts = {"ok": ok_text, "critical": bad_text, "unknown": UNKNOWN_SUMMARY}
        times = db_times(made.at_s)
        insert_results(
            list(zip([check.pk] * len(times), times, made.states,
                     [texts[s] for s in made.states], made.duration_ms.tolist(), strict=True))
        )  # fmt: skip
        written += len(times)
        if len(times):
            states.append(_current(check.pk, made, texts))
    CheckState.objects.bulk_create(states)
    return written


def _outages(check_type: str, rng: np.random.Generator) -> int:
    """The website goes down one to three times in three months; certificates never; the
    rest up to twice."""
    if check_type == "http":
        return int(rng.integers(1, 4))
    return 0 if check_type == "tls" else int(rng.integers(0, 3))


def _current(check_id: int, made: history.CheckHistory, texts: dict[str, str]) -> CheckState:
    last = made.states[-1]
    first = len(made.states) - 1
    while first > 0 and made.states[first - 1] == last:
        first -= 1
    return CheckState(of_check_id=check_id, state=last, since=_at(made.at_s[first]),
                      last_result_at=_at(made.at_s[-1]), summary=texts[last])  # fmt: skip


def _at(unix_s: Any) -> datetime:
    return datetime.fromtimestamp(int(unix_s), tz=UTC)


def write_facts(ctx: DemoContext, client: Client, plan: Plan, built: Built) -> int:
    """The agents' latest facts, and when each asset and agent was last heard from."""
    seen = ctx.now - timedelta(seconds=Random(f"{ctx.seed}/seen").randrange(5, 60))
    facts = [
        AssetFact(asset=built.assets[m.name], name=name, value=value, at=seen)
        for m in plan.machines if m.agent for name, value in sorted(m.facts.items())
    ]  # fmt: skip
    AssetFact.objects.bulk_create(facts)
    ids = [a.pk for a in built.assets.values()]
    Asset.objects.filter(pk__in=ids).update(last_seen_at=seen)
    Collector.objects.filter(client=client).update(last_seen_at=seen)
    return len(facts)


def write_incidents(
    client: Client, plan: Plan, built: Built, series: dict[int, int], rng: Random
) -> int:
    """The disks that filled up and were cleaned up in time: alert, ticket, work, recovery."""
    if not plan.episodes:
        return 0
    assigned = User.objects.filter(assigned_clients=client, role=Role.TECHNICIAN, is_active=True)
    technician = assigned.order_by("pk").first()
    for machine, metric, episode in plan.episodes:
        seed_episode(built.assets[machine.name], series[id(metric)], episode, technician, rng)
    return len(plan.episodes)


def seed_client(ctx: DemoContext, client: Client, index: int) -> dict[str, Any]:
    """Everything of one client, in one transaction with one audit entry for the history."""
    start = history_start(ctx, client)
    rng = Random(f"{ctx.seed}/{ctx.seeder_name}/{client.code}")
    plan = plan_fleet(client, index, ctx.now, start, rng)
    with transaction.atomic():
        built = create_fleet(client, plan, created=start - timedelta(days=1))
        metrics = write_metrics(ctx, client, plan, built, start)
        counts = {
            "assets": len(built.assets),
            "checks": len(built.checks),
            "series": metrics["series"],
            "rollups": metrics["rollups"],
            "samples": metrics["samples"],
            "check_results": write_checks(ctx, client, built, start),
            "facts": write_facts(ctx, client, plan, built),
            "forecast_incidents": write_incidents(client, plan, built, metrics["ids"], rng),
        }
        audit.record(
            AuditAction.CREATE,
            object_type="monitoring.checkresult",
            object_repr=f"demo monitoring history of {client}",
            client_id=client.pk,
            after=counts,
        )
    filling = plan.filling
    ctx.shared.setdefault("monitoring", {})[client.code] = {
        "plan": plan,
        "built": built,
        "series": metrics["ids"],
        "filling_series": metrics["ids"][id(filling)] if filling is not None else None,
    }
    return counts


@demo_seeder(order=500, name="monitoring")
def seed_monitoring(ctx: DemoContext) -> None:
    """After the service desk (400), before obligations (900), which measure coverage and
    availability from this data."""
    clients = ctx.clients or list(Client.objects.order_by("pk"))
    task = ctx.progress.task("Assets, checks, metrics", len(clients))
    with bulk_session():
        for index, client in enumerate(clients):
            if not Asset.objects.filter(client=client).exists():
                seed_client(ctx, client, index)
            task.advance()
