"""Bench: monthly service reports for 200 demo clients, in HTML and PDF.

Seeds a throwaway STEWARD_HOME (SQLite) with `steward demo --clients 200 --months 3` (a short
history keeps the seeding time down; the report month is the last complete one, which the demo
covers fully), then times, for the last complete month:

- one client's report: build (every section's queries and charts), HTML, PDF (A4);
- all 200 clients: build + HTML, and build + PDF, with a progress bar on the terminal, in one
  process; then the PDFs again through `steward report service --all-clients --jobs N`'s own
  function with one process per core (`--jobs` sets N).

The last line is the 200-client PDF figure with one process per core; the one-process figure
and the single-PDF figure are on the lines before.
Targets: one PDF < 3 s, all 200 PDFs < 5 min. `--profile` writes a pyinstrument profile of
one PDF to reports-profile.html. `--parallel-only` skips the one-process runs over 200 clients.
Each figure is wall-clock time with the CPU time beside it: on a shared machine the CPU time
is the one that does not depend on what else runs. `--home DIR` uses (and keeps) DIR as
STEWARD_HOME and seeds it only when it has no clients yet, so a second run skips the ~8 minutes
of seeding.
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path

CLIENTS = 200

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
HOME = sys.argv[sys.argv.index("--home") + 1] if "--home" in sys.argv else ""
os.environ["STEWARD_HOME"] = HOME or tempfile.mkdtemp(prefix="steward-bench-reports-")
os.environ.pop("STEWARD_DATABASE_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "steward.settings")
os.environ.setdefault("STEWARD_LOG_LEVEL", "WARNING")

import django  # noqa: E402  (configured by the environment above)

django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn  # noqa: E402

from steward.obligations.periods import Period  # noqa: E402
from steward.reporting.batch import render_all  # noqa: E402
from steward.reporting.services import (  # noqa: E402
    build_service_report,
    render_html,
    render_pdf,
)
from steward.tenancy.models import Client  # noqa: E402


def seed(clients: int) -> None:
    call_command("migrate", verbosity=0)
    if Client.objects.exists():
        return  # --home with a seeded database
    call_command("demo", "--clients", str(clients), "--months", "3", stdout=StringIO())


def month_of(client: Client) -> str:
    return Period.at(timezone.now(), client.timezone).previous().key


def one(client: Client) -> dict[str, float]:
    """Seconds to build, render HTML and render a PDF of one client's report."""
    started = time.perf_counter()
    report = build_service_report(client, month_of(client))
    built = time.perf_counter()
    render_html(report)
    html = time.perf_counter()
    pdf = render_pdf(report)
    done = time.perf_counter()
    assert pdf.startswith(b"%PDF")
    return {"build": built - started, "html": html - built, "pdf": done - html}


def every(clients: list[Client], fmt: str) -> tuple[float, float]:
    console = Console(stderr=True)
    columns = (BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    started, cpu = time.perf_counter(), time.process_time()
    with Progress(*columns, console=console, disable=not console.is_terminal) as bar:
        job = bar.add_task(fmt, total=len(clients))
        for client in clients:
            report = build_service_report(client, month_of(client))
            if fmt == "pdf":
                render_pdf(report)
            else:
                render_html(report, standalone=True)
            bar.advance(job)
    return time.perf_counter() - started, time.process_time() - cpu


def main() -> None:
    started = time.perf_counter()
    seed(CLIENTS)
    print(f"seeded {CLIENTS} demo clients in {time.perf_counter() - started:.1f} s")
    print(f"STEWARD_HOME: {os.environ['STEWARD_HOME']}")
    clients = list(Client.objects.order_by("pk"))
    sample = clients[len(clients) // 2]
    one(sample)  # warm up: imports (matplotlib, WeasyPrint), fonts, template loading
    if "--profile" in sys.argv:
        from pyinstrument import Profiler  # imported here: only for --profile

        with Profiler() as profiler:
            one(sample)
        Path("reports-profile.html").write_text(profiler.output_html())
        print("profile written to reports-profile.html")
    cpu = time.process_time()
    runs = [one(c) for c in clients[:5]]
    cpu_each = (time.process_time() - cpu) / len(runs)
    build = sum(r["build"] for r in runs) / len(runs)
    html = sum(r["html"] for r in runs) / len(runs)
    pdf = sum(r["pdf"] for r in runs) / len(runs)
    print(f"one report, mean of 5: build {build:.2f} s, HTML {html:.3f} s, PDF {pdf:.2f} s")
    print(f"report_pdf_single: {build + pdf:.2f} s, CPU {cpu_each:.2f} s (target < 3 s)")
    if "--parallel-only" not in sys.argv:
        wall, cpu = every(clients, "html")
        print(f"reports_html_{CLIENTS}: {wall:.1f} s, CPU {cpu:.1f} s")
        wall, cpu = every(clients, "pdf")
        print(
            f"reports_pdf_{CLIENTS} in one process: {wall:.1f} s, CPU {cpu:.1f} s (target < 300 s)"
        )
    jobs = int(sys.argv[sys.argv.index("--jobs") + 1]) if "--jobs" in sys.argv else os.cpu_count()
    folder = tempfile.mkdtemp(prefix="steward-bench-reports-out-")
    started = time.perf_counter()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    problems = [
        p for p in render_all(folder, [c.pk for c in clients], None, "pdf", "a4", jobs or 1) if p
    ]
    parallel = time.perf_counter() - started
    assert not problems, problems
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    used = after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime
    print(
        f"reports_pdf_{CLIENTS}: {parallel:.1f} s with {jobs} processes, "
        f"CPU {used:.1f} s (target < 300 s)"
    )


if __name__ == "__main__":
    main()
