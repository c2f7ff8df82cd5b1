"""STEWARD_HOME: where an installation keeps its database, attachments and keys."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from steward.core.env import envstr


def steward_home() -> Path:
    home = Path(envstr("STEWARD_HOME", "./var")).expanduser().resolve()
    home.mkdir(parents=True, exist_ok=True)
    return home


def read_or_create_key(path: Path, make: bytes | None = None) -> str:
    """Return the key stored at ``path``, creating it (mode 0600) on first use.

    Created with O_EXCL so two processes starting together agree on one key.
    """
    if path.exists():
        return path.read_text().strip()
    value = (make or secrets.token_urlsafe(50).encode()).decode()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(value + "\n")
    return value
