"""What the agent keeps between cycles and runs, in its state dir.

Small JSON files, each written atomically (write, then rename), so a crash never leaves half a
file; a file that does not parse is ignored (and logged) rather than stopping the agent.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from steward.agent.metrics import Counters

log = logging.getLogger("steward.agent")

COUNTERS_FILE = "counters.json"
INVENTORY_FILE = "inventory.json"
BUFFER_FILE = "buffer.sqlite3"


@dataclass(frozen=True)
class LastInventory:
    at: float
    asset: dict[str, Any]


def default_state_dir() -> Path:
    """/var/lib/steward-agent for a system service, else the user's XDG state dir."""
    if os.environ.get("STEWARD_AGENT_STATE_DIR"):
        return Path(os.environ["STEWARD_AGENT_STATE_DIR"])
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        return Path("/var/lib/steward-agent")
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "steward-agent"


def inventory_due(last_at: float | None, now: float, interval_s: float) -> bool:
    """Whether inventory should be read now: never read, the interval has passed, or the clock
    went backwards (the last time cannot be trusted)."""
    return last_at is None or now < last_at or now - last_at >= interval_s


class StateDir:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)

    @property
    def buffer_path(self) -> Path:
        return self.path / BUFFER_FILE

    def load_counters(self) -> Counters | None:
        text = self._read(COUNTERS_FILE)
        if text is None:
            return None
        try:
            return Counters.from_json(text)
        except ValueError as exc:
            log.warning("ignoring %s: %s", self.path / COUNTERS_FILE, exc)
            return None

    def save_counters(self, counters: Counters) -> None:
        self._write(COUNTERS_FILE, counters.to_json())

    def load_inventory(self) -> LastInventory | None:
        text = self._read(INVENTORY_FILE)
        if text is None:
            return None
        try:
            raw = json.loads(text)
            at, asset = raw["at"], raw["asset"]
            if not isinstance(at, int | float) or not isinstance(asset, dict):
                raise ValueError("at: not a number, or asset: not an object")
        except (ValueError, KeyError, TypeError) as exc:
            log.warning("ignoring %s: %s", self.path / INVENTORY_FILE, exc)
            return None
        return LastInventory(float(at), asset)

    def save_inventory(self, last: LastInventory) -> None:
        self._write(INVENTORY_FILE, json.dumps({"at": last.at, "asset": last.asset}))

    def _read(self, name: str) -> str | None:
        try:
            return (self.path / name).read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as exc:
            log.warning("ignoring %s: %s", self.path / name, exc.strerror or exc)
            return None

    def _write(self, name: str, text: str) -> None:
        partial = self.path / f".{name}.tmp"
        partial.write_text(text, encoding="utf-8")
        partial.replace(self.path / name)
