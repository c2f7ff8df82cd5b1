from __future__ import annotations

import time
from pathlib import Path

from steward.agent.cycle import Collector
from steward.agent.identity import Identity
from steward.agent.state import LastInventory, StateDir

IDENTITY = Identity(key="0123456789abcdef0123456789abcdef", hostname="web-01")
ASSET = {"key": IDENTITY.key, "hostname": "web-01", "addresses": [], "os": "Debian GNU/Linux"}


def test_between_inventories_a_cycle_sends_metrics_and_the_known_asset(tmp_path: Path) -> None:
    state = StateDir(tmp_path)
    now = time.time()
    state.save_inventory(LastInventory(now - 60, ASSET))
    collector = Collector(IDENTITY, state, inventory_interval_s=3600)

    first, report = collector.collect(now)
    assert not report.inventory_read
    assert "facts" not in first
    assert first["assets"] == [ASSET]
    assert {item["asset"] for item in first["series"]} == {IDENTITY.key}
    assert all(item["points"] == [[now, item["points"][0][1]]] for item in first["series"])
    assert "cpu_usage_percent" not in {item["metric"] for item in first["series"]}

    second, _ = collector.collect(now + 1)
    # Rates need the previous reading (CPU time may not have ticked yet: only the network then).
    saved = state.load_counters()
    assert saved is not None
    rates = {item["metric"] for item in second["series"]} - {
        item["metric"] for item in first["series"]
    }
    if saved.network:
        assert "network_receive_bytes_per_second" in rates


def test_an_inventory_made_under_another_key_is_not_reused(tmp_path: Path) -> None:
    state = StateDir(tmp_path)
    state.save_inventory(LastInventory(time.time(), {**ASSET, "key": "another"}))
    assert Collector(IDENTITY, state, inventory_interval_s=3600).last_inventory is None
