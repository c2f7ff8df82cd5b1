"""`steward collector` and `steward agent` run without Django, as on a client's machine."""

from __future__ import annotations

import subprocess
import sys

import pytest

PROBE = """
import sys
from steward import cli
try:
    cli.main([{command!r}, "--help"])
except SystemExit as stop:
    print("django loaded:", "django" in sys.modules, "exit:", stop.code)
"""


@pytest.mark.parametrize("command", ["collector", "agent"])
def test_the_command_starts_without_django(command: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(command=command)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert "--server" in done.stdout
    assert done.stdout.strip().endswith("django loaded: False exit: 0")
