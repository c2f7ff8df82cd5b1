"""The one thin layer that touches the machine: reading files and running commands.

Readers in `inventory` and `posture` take what these return as parameters, so tests feed them
real captured texts; only this module knows about paths, PATH and subprocesses.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

# Agents often run from a service manager with a short PATH; firewall tools live in sbin.
SEARCH_PATH = os.pathsep.join(
    [os.environ.get("PATH", ""), "/usr/local/sbin", "/usr/sbin", "/sbin", "/usr/bin", "/bin"]
)
DEFAULT_TIMEOUT_S = 20.0


@dataclass(frozen=True)
class Ran:
    """A command that ran to its end (any exit code)."""

    returncode: int
    stdout: str
    stderr: str = ""


@dataclass(frozen=True)
class NotRun:
    """A command that gave no output: not installed, timed out, or could not start."""

    reason: str
    missing: bool = False


CommandResult = Ran | NotRun


@dataclass(frozen=True)
class Unreadable:
    """A file the agent could not read, and why."""

    reason: str
    missing: bool = False


def run(argv: Sequence[str], timeout: float = DEFAULT_TIMEOUT_S) -> CommandResult:
    """Run `argv` (no shell) in the C locale so outputs parse the same everywhere."""
    program = shutil.which(argv[0], path=SEARCH_PATH)
    if program is None:
        return NotRun(f"{argv[0]} is not installed", missing=True)
    env = {**os.environ, "LC_ALL": "C", "LANG": "C", "PATH": SEARCH_PATH}
    try:
        done = subprocess.run(  # noqa: S603 - argv is one of the agent's own fixed commands
            [program, *argv[1:]],
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return NotRun(f"{' '.join(argv)} took over {timeout:g} s")
    except OSError as exc:
        return NotRun(f"{argv[0]} could not start: {exc.strerror or exc}")
    return Ran(done.returncode, done.stdout, done.stderr)


def read_text(path: str | Path) -> str | Unreadable:
    """The text of a file, or why it cannot be read."""
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return Unreadable(f"{path} does not exist", missing=True)
    except PermissionError:
        return Unreadable(f"{path} is not readable without more privileges")
    except OSError as exc:
        return Unreadable(f"{path} could not be read: {exc.strerror or exc}")
