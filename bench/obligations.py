"""Bench: `steward obligations evaluate` for 200 clients with the default obligation set.

Seeds a throwaway STEWARD_HOME (SQLite) with `steward demo --clients 200` (which also gives every
client the default set and a history), or — where the demo command is not available — with 200
clients made through the services. Then times the evaluate command: the headline number is a
closed month recomputed in full for every client (`--recompute-closed`, so every measure runs);
the other lines show a run that keeps final rows and a run over the open month.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path

CLIENTS = 200

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["STEWARD_HOME"] = tempfile.mkdtemp(prefix="steward-bench-obligations-")
os.environ.pop("STEWARD_DATABASE_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "steward.settings")
os.environ.setdefault("STEWARD_LOG_LEVEL", "WARNING")

import django  # noqa: E402  (configured by the environment above)

django.setup()

from django.core.management import call_command, get_commands  # noqa: E402
from django.utils import timezone  # noqa: E402

from steward.obligations.periods import Period  # noqa: E402
from steward.obligations.services import create_default_obligations  # noqa: E402
from steward.tenancy import services as tenancy  # noqa: E402


def seed() -> str:
    call_command("migrate", verbosity=0)
    if "demo" in get_commands():
        call_command("demo", "--clients", str(CLIENTS), "--months", "3", stdout=StringIO())
        return "steward demo"
    for n in range(CLIENTS):
        client = tenancy.create_client(
            name=f"Bench client {n:03d}", code=f"bench{n:03d}", timezone="Europe/Berlin"
        )
        for k in range(3):
            tenancy.create_contact(
                client, first_name=f"Person {k}", email=f"p{k}@c{n}.example", is_primary=k == n % 4
            )
        create_default_obligations(client)
    return "services"


def timed(*args: str) -> tuple[float, str]:
    out = StringIO()
    started = time.perf_counter()
    call_command("obligations", "evaluate", *args, stdout=out, stderr=StringIO())
    return time.perf_counter() - started, out.getvalue().strip()


def main() -> None:
    started = time.perf_counter()
    how = seed()
    print(f"seeded {CLIENTS} clients ({how}) in {time.perf_counter() - started:.1f} s")
    closed = Period.at(timezone.now(), "UTC").shift(-2).key
    runs = [
        ("closed month, first run", ("--period", closed)),
        ("closed month, again (kept)", ("--period", closed)),
        ("current month", ()),
        ("current month, again", ()),
    ]
    for label, args in runs:
        seconds, summary = timed(*args)
        print(f"{label}: {seconds:.2f} s ({summary})")
    full, summary = timed("--period", closed, "--recompute-closed")
    print(f"closed month, recomputed in full: {full:.2f} s ({summary})")
    print(f"obligations_evaluate_200: {full:.2f} s (target: report)")


if __name__ == "__main__":
    main()
