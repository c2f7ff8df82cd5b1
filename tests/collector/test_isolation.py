"""The collector imports no Django and no steward module outside steward.collector."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import steward.collector

REPO = Path(__file__).resolve().parents[2]


def test_collector_modules_import_without_django() -> None:
    modules = [
        info.name
        for info in pkgutil.walk_packages(steward.collector.__path__, "steward.collector.")
        if not info.name.endswith("__main__")  # runs the collector when imported
    ]
    script = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=True
    )
    loaded = json.loads(done.stdout)
    assert "steward.collector.transport" in loaded
    assert not [name for name in loaded if name == "django" or name.startswith("django.")]
    outside = [
        name
        for name in loaded
        if name.startswith("steward.") and not name.startswith("steward.collector")
    ]
    assert outside == []
