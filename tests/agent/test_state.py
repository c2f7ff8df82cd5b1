from __future__ import annotations

from pathlib import Path

import pytest

from steward.agent.metrics import Counters
from steward.agent.state import LastInventory, StateDir, inventory_due


@pytest.mark.parametrize(
    ("last_at", "now", "due"),
    [
        (None, 1000.0, True),  # never read
        (1000.0, 1000.0, False),
        (1000.0, 1000.0 + 21599.0, False),
        (1000.0, 1000.0 + 21600.0, True),  # exactly the interval
        (1000.0, 999.0, True),  # the clock went back: the last time is not to be trusted
    ],
)
def test_inventory_due(last_at: float | None, now: float, due: bool) -> None:
    assert inventory_due(last_at, now, 21600.0) is due


def test_zero_interval_reads_inventory_every_cycle() -> None:
    assert inventory_due(1000.0, 1000.0, 0.0)


def test_state_round_trips(tmp_path: Path) -> None:
    state = StateDir(tmp_path / "state")
    assert state.load_counters() is None
    assert state.load_inventory() is None
    counters = Counters(1.0, 2.0, 3.0, 4.0, {"eth0": (5, 6)})
    state.save_counters(counters)
    state.save_inventory(LastInventory(7.0, {"key": "k", "hostname": "h"}))
    again = StateDir(tmp_path / "state")
    assert again.load_counters() == counters
    assert again.load_inventory() == LastInventory(7.0, {"key": "k", "hostname": "h"})


@pytest.mark.parametrize(
    "text", ["", "{", '{"at": 1}', '{"at": "x", "asset": {}}', '{"at": 1, "asset": []}', "[]"]
)
def test_damaged_files_are_ignored(tmp_path: Path, text: str) -> None:
    (tmp_path / "counters.json").write_text(text)
    (tmp_path / "inventory.json").write_text(text)
    state = StateDir(tmp_path)
    assert state.load_counters() is None
    assert state.load_inventory() is None
