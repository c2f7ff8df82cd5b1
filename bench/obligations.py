"""Bench: `steward obligations evaluate` for 200 clients with the default obligation set.

Seeds a throwaway STEWARD_HOME (SQLite) with 200 clients, each with contacts and the default
set, then times the evaluate command for a closed month (all rows created) and again for the
same month (all rows final: kept) and for the open month (rows created, then updated).
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

from django.core.management import call_command  # noqa: E402

from steward.obligations.periods import Period  # noqa: E402
from steward.obligations.services import create_default_obligations  # noqa: E402
from steward.tenancy import services as tenancy  # noqa: E402


def seed() -> None:
    call_command("migrate", verbosity=0)
    for n in range(CLIENTS):
        client = tenancy.create_client(
            name=f"Bench client {n:03d}", code=f"bench{n:03d}", timezone="Europe/Berlin"
        )
        for k in range(3):
            tenancy.create_contact(
                client, first_name=f"Person {k}", email=f"p{k}@c{n}.example", is_primary=k == n % 4
            )
        create_default_obligations(client)


def timed(*args: str) -> tuple[float, str]:
    out = StringIO()
    started = time.perf_counter()
    call_command("obligations", "evaluate", *args, stdout=out, stderr=StringIO())
    return time.perf_counter() - started, out.getvalue().strip()


def main() -> None:
    started = time.perf_counter()
    seed()
    print(f"seeded {CLIENTS} clients with the default set in {time.perf_counter() - started:.1f} s")
    closed = Period.parse("2026-01").key
    for label, args in (
        ("closed month, first run", ("--period", closed)),
        ("closed month, again (kept)", ("--period", closed)),
        ("current month", ()),
        ("current month, again (updated)", ()),
    ):
        seconds, summary = timed(*args)
        print(f"{label}: {seconds:.2f} s ({summary})")
    first, _ = timed("--period", "2026-02")
    print(f"obligations_evaluate_200: {first:.2f} s (target: report)")


if __name__ == "__main__":
    main()
