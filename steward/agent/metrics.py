"""Metrics from psutil: the samples of the ingest series (docs/ingest.md) of the agent's asset.

Gauges (memory, disks, load, uptime) are read as they are. CPU usage and network throughput come
from cumulative counters: a rate needs two readings, so the previous `Counters` is kept (in memory
and in the state dir, so `--once` runs from cron get rates too). The rate math is pure.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import psutil

# Read-only images (snaps, live media) are always 100 % used: noise, not disks to watch.
IMAGE_FSTYPES = frozenset({"squashfs", "iso9660", "udf", "erofs", "cramfs"})
# Boot time read twice can differ by a second (it is derived from uptime); a reboot moves it more.
BOOT_TIME_TOLERANCE_S = 2.0


@dataclass(frozen=True)
class Sample:
    metric: str
    value: float
    labels: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Counters:
    """Cumulative counters read at one moment (`at`, unix seconds)."""

    at: float
    boot_time: float
    cpu_busy: float
    cpu_total: float
    # interface -> (bytes received, bytes transmitted)
    network: Mapping[str, tuple[int, int]] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(
            {
                "at": self.at,
                "boot_time": self.boot_time,
                "cpu_busy": self.cpu_busy,
                "cpu_total": self.cpu_total,
                "network": {nic: list(pair) for nic, pair in self.network.items()},
            }
        )

    @classmethod
    def from_json(cls, text: str) -> Counters:
        """Counters saved by `to_json`; ValueError naming the field when the text is not that."""
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"counters: not JSON ({exc.msg})") from None
        if not isinstance(raw, dict):
            raise ValueError("counters: not a JSON object")
        names = ("at", "boot_time", "cpu_busy", "cpu_total")
        numbers = {name: _number(raw, name) for name in names}
        network = raw.get("network", {})
        if not isinstance(network, dict):
            raise ValueError("network: not an object")
        pairs: dict[str, tuple[int, int]] = {}
        for nic, pair in network.items():
            if not (
                isinstance(pair, list)
                and len(pair) == 2
                and all(isinstance(n, int) and not isinstance(n, bool) for n in pair)
            ):
                raise ValueError(f"network.{nic}: not a pair of byte counts")
            pairs[nic] = (pair[0], pair[1])
        return cls(network=pairs, **numbers)


def _number(raw: dict[str, Any], name: str) -> float:
    value = raw.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name}: not a number")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise ValueError(f"{name}: not a finite number")
    return number


def rate_samples(previous: Counters | None, current: Counters) -> list[Sample]:
    """CPU usage and network rates between two readings.

    No rate without a previous reading, over zero or negative elapsed time, or across a reboot.
    A counter that went down was reset (driver reload, wrap): that counter gives no rate this time
    rather than a negative or huge one.
    """
    if previous is None:
        return []
    elapsed = current.at - previous.at
    if elapsed <= 0 or abs(current.boot_time - previous.boot_time) > BOOT_TIME_TOLERANCE_S:
        return []
    samples = []
    busy = current.cpu_busy - previous.cpu_busy
    total = current.cpu_total - previous.cpu_total
    if total > 0 and busy >= 0:
        samples.append(Sample("cpu_usage_percent", min(100.0, 100.0 * busy / total)))
    for nic, (received, transmitted) in sorted(current.network.items()):
        if nic not in previous.network:
            continue
        before_received, before_transmitted = previous.network[nic]
        labels = {"interface": nic}
        if received >= before_received:
            rate = (received - before_received) / elapsed
            samples.append(Sample("network_receive_bytes_per_second", rate, labels))
        if transmitted >= before_transmitted:
            rate = (transmitted - before_transmitted) / elapsed
            samples.append(Sample("network_transmit_bytes_per_second", rate, labels))
    return samples


@dataclass(frozen=True)
class Partition:
    device: str
    mountpoint: str
    fstype: str


def real_mounts(partitions: Iterable[Partition]) -> list[str]:
    """Mount points of real filesystems, one per device.

    Bind mounts (a container's /etc/hosts, btrfs subvolumes) show the same device's usage again;
    the shortest mount point stands for the device.
    """
    by_device: dict[str, str] = {}
    for part in partitions:
        if part.fstype.lower() in IMAGE_FSTYPES or part.device.startswith("/dev/loop"):
            continue
        if not part.fstype:
            continue
        known = by_device.get(part.device)
        if known is None or (len(part.mountpoint), part.mountpoint) < (len(known), known):
            by_device[part.device] = part.mountpoint
    return sorted(by_device.values())


def read_counters(now: float | None = None) -> Counters:
    """Cumulative CPU times and per-interface byte counters (loopback skipped)."""
    times = psutil.cpu_times()
    # Same split as psutil.cpu_percent: guest time is already inside user/nice on Linux.
    total = sum(times) - getattr(times, "guest", 0.0) - getattr(times, "guest_nice", 0.0)
    busy = total - times.idle - getattr(times, "iowait", 0.0)
    loopbacks = loopback_interfaces()
    network = {
        nic: (io.bytes_recv, io.bytes_sent)
        for nic, io in psutil.net_io_counters(pernic=True).items()
        if nic not in loopbacks
    }
    return Counters(
        at=time.time() if now is None else now,
        boot_time=psutil.boot_time(),
        cpu_busy=busy,
        cpu_total=total,
        network=network,
    )


def loopback_interfaces() -> set[str]:
    loopbacks = {"lo", "lo0"}
    for nic, stats in psutil.net_if_stats().items():
        if "loopback" in getattr(stats, "flags", "").split(","):
            loopbacks.add(nic)
    return loopbacks


def read_gauges(now: float | None = None) -> list[Sample]:
    """Memory, swap, disks, load and uptime as they are now."""
    now = time.time() if now is None else now
    memory = psutil.virtual_memory()
    samples = [
        Sample("memory_used_percent", memory.percent),
        Sample("memory_available_bytes", float(memory.available)),
    ]
    swap = psutil.swap_memory()
    if swap.total > 0:  # no swap configured: a percentage of nothing is not a reading
        samples.append(Sample("swap_used_percent", swap.percent))
    partitions = [
        Partition(p.device, p.mountpoint, p.fstype) for p in psutil.disk_partitions(all=False)
    ]
    for mount in real_mounts(partitions):
        try:
            usage = psutil.disk_usage(mount)
        except OSError:  # unmounted meanwhile, or a mount this user may not stat
            continue
        labels = {"mount": mount}
        samples.append(Sample("disk_used_percent", usage.percent, labels))
        samples.append(Sample("disk_free_bytes", float(usage.free), labels))
    load1, load5, load15 = psutil.getloadavg()
    samples += [Sample("load1", load1), Sample("load5", load5), Sample("load15", load15)]
    samples.append(Sample("uptime_seconds", max(0.0, now - psutil.boot_time())))
    return samples
