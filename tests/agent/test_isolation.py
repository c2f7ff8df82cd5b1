"""The agent runs on endpoints without Django: importing any of its modules loads neither Django
nor any Steward module other than the shared transport."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import pkgutil, importlib, sys, json
import steward.agent
for module in pkgutil.iter_modules(steward.agent.__path__, "steward.agent."):
    if module.name != "steward.agent.__main__":
        importlib.import_module(module.name)
roots = ("django", "steward")
print(json.dumps(sorted(name for name in sys.modules if name.split(".")[0] in roots)))
"""


def test_importing_the_agent_loads_no_django_and_no_other_steward_module() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=True
    )
    loaded = set(json.loads(done.stdout))
    assert not {name for name in loaded if name.split(".")[0] == "django"}
    allowed_outside = {"steward", "steward.collector", "steward.collector.transport"}
    outside = {name for name in loaded if not name.startswith("steward.agent")} - allowed_outside
    assert outside == set()
    assert "steward.agent.main" in loaded
