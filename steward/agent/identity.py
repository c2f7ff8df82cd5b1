"""Who this agent is: a stable asset key and the hostname.

The key is the systemd/D-Bus machine id when the machine has one (it survives reinstalling the
agent); otherwise a random id kept in the agent's state dir (it survives restarts).
"""

from __future__ import annotations

import re
import socket
import uuid
from dataclasses import dataclass
from pathlib import Path

from steward.agent.machine import Unreadable, read_text

MACHINE_ID_PATHS = ("/etc/machine-id", "/var/lib/dbus/machine-id")
AGENT_ID_FILE = "agent-id"
# A machine id is 32 lowercase hex digits; "uninitialized" and empty files are not ids.
MACHINE_ID = re.compile(r"[0-9a-f]{32}")


@dataclass(frozen=True)
class Identity:
    key: str
    hostname: str


def parse_machine_id(text: str) -> str | None:
    """The machine id in a machine-id file's text, or None when it holds no valid id."""
    candidate = text.strip()
    return candidate if MACHINE_ID.fullmatch(candidate) else None


def asset_key(state_dir: Path, machine_id_paths: tuple[str, ...] = MACHINE_ID_PATHS) -> str:
    """The machine id when one is readable, else the agent's own id (created on first use)."""
    for path in machine_id_paths:
        text = read_text(path)
        if not isinstance(text, Unreadable) and (machine_id := parse_machine_id(text)):
            return machine_id
    return stored_agent_id(state_dir)


def stored_agent_id(state_dir: Path) -> str:
    """A random id kept in `state_dir`, written once (atomically) and then reused."""
    path = state_dir / AGENT_ID_FILE
    text = read_text(path)
    if not isinstance(text, Unreadable) and (existing := parse_machine_id(text)):
        return existing
    state_dir.mkdir(parents=True, exist_ok=True)
    new_id = uuid.uuid4().hex
    partial = path.with_suffix(".tmp")
    partial.write_text(new_id + "\n", encoding="utf-8")
    partial.replace(path)
    return new_id


def identify(state_dir: Path) -> Identity:
    return Identity(key=asset_key(state_dir), hostname=socket.gethostname())
