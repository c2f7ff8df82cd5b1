"""Rendering every client's report, optionally in several processes.

The worker functions import Django and Steward inside their bodies (function-local imports):
a spawned worker unpickles them before Django is set up, so this module must import without it.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any


def render(client: Any, period: str | None, fmt: str, paper: str) -> tuple[bytes, str]:
    """The report of ``client`` in ``fmt`` ("pdf", "csv", "html") and its file name."""
    from django.utils import timezone  # see the module docstring

    from steward.obligations.periods import Period
    from steward.reporting.services import (
        build_service_report,
        render_csv,
        render_html,
        render_pdf,
    )

    key = period or Period.at(timezone.now(), client.timezone).previous().key
    report = build_service_report(client, key)
    if fmt == "pdf":
        return render_pdf(report, paper=paper), f"{report.filename_stem}-{paper}.pdf"
    if fmt == "csv":
        return render_csv(report), f"{report.filename_stem}.csv"
    return render_html(report, standalone=True).encode(), f"{report.filename_stem}.html"


def render_to(folder: str, client_id: int, period: str | None, fmt: str, paper: str) -> str:
    """Render one client's report into ``folder``; returns "" or the error."""
    from steward.reporting.services import ReportError  # see the module docstring
    from steward.tenancy.models import Client

    client = Client.objects.get(pk=client_id)
    try:
        data, name = render(client, period, fmt, paper)
    except ReportError as exc:
        return f"{client.name}: {exc}"
    (Path(folder) / name).write_bytes(data)
    return ""


def start_worker() -> None:
    """A spawned worker is a fresh interpreter: set Django up from the same settings module
    and STEWARD_HOME (both inherited through the environment)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "steward.settings")
    import django  # see the module docstring

    django.setup()


def render_all(
    folder: str, ids: list[int], period: str | None, fmt: str, paper: str, jobs: int
) -> Iterator[str]:
    """Render the clients' reports in ``jobs`` processes (here when 1); yields "" or an error
    per client as each finishes."""
    if jobs <= 1:
        for pk in ids:
            yield render_to(folder, pk, period, fmt, paper)
        return
    from django.db import connections  # see the module docstring

    # Spawned, not forked: a fork would share this process's database connection and copy
    # any lock that a thread (the progress bar's) holds at that instant.
    connections.close_all()
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=start_worker) as pool:
        futures = [pool.submit(render_to, folder, pk, period, fmt, paper) for pk in ids]
        for done in as_completed(futures):
            yield done.result()
