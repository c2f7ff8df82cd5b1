"""What each demo client runs: servers, workstations, a firewall and switches, with the agents
on them, a site probe and its checks (HTTP, TLS, TCP, ping, SNMP). Configuration is written
through the monitoring services, so each asset, collector and check is audited."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from random import Random
from typing import Any
from zoneinfo import ZoneInfo

from steward.monitoring.choices import AssetKind, AssetSource, CheckType, CollectorKind
from steward.monitoring.demo.history import DAY, HOUR, Load, raw_start
from steward.monitoring.models import Asset, Check, Collector
from steward.monitoring.services import create_asset, create_check, create_collector
from steward.tenancy.models import Client, Site

# (servers, workstations, switches) by client size; every client has one firewall.
SIZES = {"small": (1, 2, 1), "medium": (2, 3, 1), "large": (3, 4, 2)}
SERVER_MODELS = (
    ("Dell", "PowerEdge R650"),
    ("HPE", "ProLiant DL360 Gen10"),
    ("Lenovo", "ThinkSystem SR630"),
)
DESKTOP_MODELS = (
    ("Dell", "OptiPlex 7010"),
    ("HP", "EliteDesk 800 G9"),
    ("Lenovo", "ThinkCentre M90q"),
)
SERVER_OS = (("Ubuntu", "24.04", date(2029, 5, 31)), ("Windows Server", "2022", date(2031, 10, 14)),
             ("Debian", "12", date(2028, 6, 30)))  # fmt: skip
INTERVAL: dict[str, int] = {CheckType.HTTP: 1800, CheckType.TLS: 21_600, CheckType.TCP: 1800,
            CheckType.PING: 1800, CheckType.SNMP: 1800}  # fmt: skip


@dataclass
class Metric:
    name: str
    labels: dict[str, str]
    load: Load


@dataclass
class Machine:
    """A planned asset and what its agent (if any) reports."""

    kind: str
    name: str
    fields: dict[str, Any]
    metrics: list[Metric] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    agent: bool = False


@dataclass
class Episode:
    """A disk that filled up and was cleaned up: the trend starts at ``ramp_from``, the
    cleanup happens at ``fixed_at``; ``base`` and ``peak`` are the levels before and at it."""

    ramp_from: datetime
    fixed_at: datetime
    base: float
    peak: float

    @property
    def slope_per_s(self) -> float:
        return (self.peak - self.base) / (self.fixed_at - self.ramp_from).total_seconds()


@dataclass
class Plan:
    machines: list[Machine]
    filling: Metric | None = None  # a disk filling up now: its forecast fires
    episodes: list[tuple[Machine, Metric, Episode]] = field(default_factory=list)


def plan_fleet(client: Client, index: int, now: datetime, start: datetime, rng: Random) -> Plan:
    """The client's machines and their loads. Every third client (from the first) has a disk
    filling up right now; every third from the second had a data disk that filled up once in
    the history and was cleaned up in time after its forecast fired."""
    offset = int((now.astimezone(_zone(client)).utcoffset() or timedelta(0)).total_seconds())
    servers, desktops, switches = SIZES.get(client.size, SIZES["small"])
    code = client.code
    machines = [_server(code, n, rng, offset) for n in range(1, servers + 1)]
    machines += [_desktop(code, n, rng, offset) for n in range(1, desktops + 1)]
    machines.append(_firewall(code, rng, offset))
    machines += [_switch(code, n, rng) for n in range(1, switches + 1)]
    plan = Plan(machines)
    first_disk = next(m for m in machines[0].metrics if m.name == "disk_used_percent")
    if index % 3 == 0:
        plan.filling = first_disk
        first_disk.load = _filling(now, rng)
    if index % 3 == 1:
        target = machines[min(1, servers - 1)] if servers > 1 else machines[0]
        data = Metric("disk_used_percent", {"mount": "/srv"}, Load(0))
        target.metrics.append(data)
        plan.episodes += [(target, data, e) for e in _episodes(now, start, rng)]
        data.load = _episode_load(start, now, [e for _, _, e in plan.episodes], rng)
    return plan


def _zone(client: Client) -> ZoneInfo:
    return ZoneInfo(client.timezone)


def _server(code: str, n: int, rng: Random, offset: int) -> Machine:
    vendor, model = rng.choice(SERVER_MODELS)
    os_name, version, eol = rng.choice(SERVER_OS)
    name = f"{code}-srv{n:02d}"
    disk = rng.uniform(30, 60)
    return Machine(
        AssetKind.SERVER,
        name,
        _inventory(name, code, vendor, model, os_name, version, eol, rng, years=5),
        [
            Metric(
                "cpu_usage_percent", {}, Load(rng.uniform(8, 20), rng.uniform(15, 35), 4, offset)
            ),
            Metric(
                "memory_used_percent",
                {},
                Load(rng.uniform(45, 70), rng.uniform(3, 10), 1.5, offset),
            ),
            Metric("disk_used_percent", {"mount": "/"}, Load(disk, noise=0.05)),
        ],
        _facts(rng, cpus=rng.choice((8, 16, 32)), memory_gb=rng.choice((32, 64, 128))),
        agent=True,
    )


def _desktop(code: str, n: int, rng: Random, offset: int) -> Machine:
    vendor, model = rng.choice(DESKTOP_MODELS)
    name = f"{code}-ws{n:02d}"
    version = rng.choice(("11 23H2", "11 24H2"))
    return Machine(
        AssetKind.WORKSTATION,
        name,
        _inventory(name, code, vendor, model, "Windows", version, date(2027, 10, 12), rng, 4),
        [
            Metric("cpu_usage_percent", {}, Load(3, rng.uniform(15, 35), 3, utc_offset_s=offset)),
            Metric("disk_used_percent", {"mount": "C:"}, Load(rng.uniform(35, 75), noise=0.05)),
        ],
        _facts(rng, cpus=rng.choice((4, 8)), memory_gb=rng.choice((16, 32))),
        agent=True,
    )


def _firewall(code: str, rng: Random, offset: int) -> Machine:
    fields = {"hostname": f"fw01.{code}.example", "addresses": ["10.0.0.1"], "vendor": "Fortinet",
              "model": rng.choice(("FortiGate 60F", "FortiGate 100F")), "os": "FortiOS",
              "os_version": "7.4", "serial": f"FGT{rng.randrange(10**9):09d}",
              "source": AssetSource.COLLECTOR}  # fmt: skip
    load = Load(5, rng.uniform(10, 25), 2, utc_offset_s=offset)
    return Machine(
        AssetKind.FIREWALL, f"{code}-fw01", fields, [Metric("cpu_usage_percent", {}, load)]
    )


def _switch(code: str, n: int, rng: Random) -> Machine:
    fields = {"hostname": f"sw{n:02d}.{code}.example", "addresses": [f"10.0.0.{1 + n}"],
              "vendor": "Cisco", "model": "Catalyst 9200L", "os": "IOS XE", "os_version": "17.9",
              "serial": f"JAE{rng.randrange(10**8):08d}",
              "source": AssetSource.COLLECTOR}  # fmt: skip
    return Machine(AssetKind.NETWORK, f"{code}-sw{n:02d}", fields)


def _inventory(name: str, code: str, vendor: str, model: str, os_name: str, version: str,
               eol: date, rng: Random, years: int) -> dict[str, Any]:  # fmt: skip
    bought = date(2022, 1, 1) + timedelta(days=rng.randrange(3 * 365))
    return {
        "hostname": f"{name}.{code}.example", "addresses": [f"10.0.1.{rng.randrange(10, 250)}"],
        "vendor": vendor, "model": model, "os": os_name, "os_version": version, "os_eol_on": eol,
        "serial": f"{vendor[:2].upper()}{rng.randrange(10**8):08d}", "purchased_on": bought,
        "warranty_ends_on": bought + timedelta(days=365 * years), "key": f"machine-{name}",
        "source": AssetSource.AGENT,
    }  # fmt: skip


def _facts(rng: Random, cpus: int, memory_gb: int) -> dict[str, Any]:
    return {
        "hardware.cpu_count": cpus,
        "hardware.memory_total_bytes": memory_gb * 1024**3,
        "disk.encryption": rng.random() < 0.9,
        "firewall.active": True,
        "updates.automatic": rng.random() < 0.8,
        "os.pending_updates": rng.randrange(0, 12),
        "os.pending_security_updates": rng.choice((0, 0, 0, 1, 2)),
    }


def _filling(now: datetime, rng: Random) -> Load:
    """Flat near 74 % until the raw span starts, then up ~6 points a day: full in ~2 days."""
    begin = raw_start(int(now.timestamp()))
    level = rng.uniform(72, 76)
    knots = (
        (0.0, level),
        (float(begin), level),
        (now.timestamp(), level + 6.2 * 2),
        (now.timestamp() + DAY, level + 18.6),
    )
    return Load(level, noise=0.05, knots=knots)  # fmt: skip


def _episodes(now: datetime, start: datetime, rng: Random) -> list[Episode]:
    """A fill-up of a data disk 10 to 80 days ago, cleaned up within ~2 days."""
    span_days = (now - start).days - 5
    if span_days < 12:
        return []
    days = [rng.randrange(10, min(80, span_days))]
    found = []
    for back in days:
        ramp_from = (now - timedelta(days=back)).replace(minute=0, second=0, microsecond=0)
        hours = rng.randint(36, 60)
        found.append(
            Episode(
                ramp_from,
                ramp_from + timedelta(hours=hours),
                rng.uniform(48, 58),
                rng.uniform(80, 86),
            )
        )
    return found  # fmt: skip


def _episode_load(start: datetime, now: datetime, episodes: list[Episode], rng: Random) -> Load:
    knots: list[tuple[float, float]] = [
        (start.timestamp() - HOUR, episodes[0].base if episodes else 50.0)
    ]
    for e in episodes:
        after = e.base - rng.uniform(5, 12)
        knots += [(e.ramp_from.timestamp(), e.base), (e.fixed_at.timestamp(), e.peak),
                  (e.fixed_at.timestamp() + 600, after)]  # fmt: skip
    knots.append((now.timestamp() + DAY, knots[-1][1] + 1))
    return Load(knots[0][1], noise=0.05, knots=tuple(knots))


# --- Writing the configuration ------------------------------------------------------------------


@dataclass
class Built:
    assets: dict[str, Asset]
    probe: Collector
    checks: list[Check]


def create_fleet(client: Client, plan: Plan, created: datetime) -> Built:
    """The assets, agents, probe and checks, through the services (one audit entry each)."""
    site = Site.objects.filter(client=client).order_by("pk").first()
    assets = {}
    for machine in plan.machines:
        asset = create_asset(client, name=machine.name, kind=machine.kind, site=site,
                             created_at=created, **machine.fields)  # fmt: skip
        assets[machine.name] = asset
        if machine.agent:
            agent, _token = create_collector(client, kind=CollectorKind.AGENT, name=machine.name)
            # What the agent's first report does (ingest): bind it to its asset.
            Collector.objects.filter(pk=agent.pk).update(asset=asset)
    probe, _token = create_collector(client, kind=CollectorKind.COLLECTOR,
                                     name=f"{client.name} site probe",
                                     site_id=site.pk if site else None)  # fmt: skip
    return Built(assets, probe, _create_checks(client, plan, assets, probe, created))


def _create_checks(client: Client, plan: Plan, assets: dict[str, Asset], probe: Collector,
                   created: datetime) -> list[Check]:  # fmt: skip
    by_kind: dict[str, list[Asset]] = {}
    for machine in plan.machines:
        by_kind.setdefault(machine.kind, []).append(assets[machine.name])
    web = by_kind[AssetKind.SERVER][0]
    host = f"www.{client.code}.example"
    specs: list[tuple[str, str, Asset, dict[str, Any]]] = [  # name, type, asset, params
        ("Website", CheckType.HTTP, web, {"url": f"https://{host}/"}),
        ("Website certificate", CheckType.TLS, web, {"host": host}),
        ("Remote desktop gateway", CheckType.TCP, web, {"host": f"rdg.{host}", "port": 443}),
        (
            "Firewall reachable",
            CheckType.PING,
            by_kind[AssetKind.FIREWALL][0],
            {"host": "10.0.0.1"},
        ),
    ]
    for switch in by_kind.get(AssetKind.NETWORK, []):
        params = {"host": switch.addresses[0], "community": "demo-public"}
        specs.append((f"Switch {switch.name}", CheckType.SNMP, switch, params))
    return [
        create_check(
            client,
            collector=probe,
            asset=asset,
            type=kind,
            name=name,
            params=params,
            interval_s=INTERVAL[kind],
            created_at=created,
        )
        for name, kind, asset, params in specs
    ]
