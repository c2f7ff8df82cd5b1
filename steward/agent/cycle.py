"""One agent cycle: read the machine and shape what was read into one ingest batch.

Every cycle sends the metrics and the asset record (so each batch stands on its own: its series
name an asset the same batch reports). Inventory and posture facts are read again only when the
inventory interval has passed, since `apt-get -s upgrade` alone takes seconds.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from steward.agent import inventory, metrics, posture
from steward.agent.facts import Fact
from steward.agent.identity import Identity
from steward.agent.state import LastInventory, StateDir, inventory_due
from steward.collector.transport import Batcher

log = logging.getLogger("steward.agent")


@dataclass
class CycleReport:
    """What one cycle gathered, for the log line and the tests."""

    samples: int = 0
    facts: list[Fact] = field(default_factory=list)
    inventory_read: bool = False
    duration_s: float = 0.0


class Collector:
    """Reads the machine each cycle; keeps the previous counters and the last inventory."""

    def __init__(self, identity: Identity, state: StateDir, inventory_interval_s: float) -> None:
        self.identity = identity
        self.state = state
        self.inventory_interval_s = inventory_interval_s
        self.previous = state.load_counters()
        last = state.load_inventory()
        # A record made under another key (the machine got a machine id since) is stale.
        self.last_inventory = last if last and last.asset.get("key") == identity.key else None

    def collect(self, now: float | None = None) -> tuple[dict[str, Any], CycleReport]:
        """One batch (without `batch_id`: the buffer gives it one) and what went into it.

        Blocking (psutil, subprocesses): the run loop calls it in a worker thread."""
        started = time.monotonic()
        now = time.time() if now is None else now
        report = CycleReport()
        batcher = Batcher(max_samples=1_000_000)  # one cycle is one batch, never split
        key = self.identity.key

        counters = metrics.read_counters(now)
        samples = metrics.read_gauges(now) + metrics.rate_samples(self.previous, counters)
        for sample in samples:
            batcher.add_point(sample.metric, sample.value, now, sample.labels, asset=key)
        report.samples = len(samples)
        self.previous = counters
        self.state.save_counters(counters)

        last_at = self.last_inventory.at if self.last_inventory else None
        if inventory_due(last_at, now, self.inventory_interval_s):
            try:
                read = inventory.collect(self.identity)
                report.facts = read.facts + posture.collect()
            except Exception:
                # The metrics are still worth sending; inventory is tried again next cycle.
                log.exception("reading inventory and posture failed")
            else:
                report.inventory_read = True
                at = datetime.fromtimestamp(now, UTC)
                for fact in report.facts:
                    batcher.add_fact(fact.to_wire(key, at))
                self.last_inventory = LastInventory(now, read.asset)
                self.state.save_inventory(self.last_inventory)
        if self.last_inventory is not None:
            batcher.add_asset(self.last_inventory.asset)

        batch = batcher.cut() or {}
        report.duration_s = time.monotonic() - started
        return batch, report
