"""The collector `steward up` runs in-process: a hosted collector, made on first start.

Tokens are stored hashed, so the embedded collector's plain token is kept beside the data, in
``STEWARD_HOME/collector/token`` (readable by the owner only). A missing, revoked or unknown token
gets a new collector.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings

from steward.monitoring.choices import CollectorKind
from steward.monitoring.services import authenticate_collector, create_collector

NAME = "Embedded collector (steward up)"


def collector_dir() -> Path:
    return Path(settings.STEWARD_HOME) / "collector"


def embedded_token() -> str:
    """The embedded collector's token, creating the collector (and its directory) when needed."""
    folder = collector_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "token"
    if path.exists():
        token = path.read_text().strip()
        if authenticate_collector(token) is not None:
            return token
    _collector, token = create_collector(None, kind=CollectorKind.COLLECTOR, name=NAME)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as stream:
        stream.write(token + "\n")
    return token
