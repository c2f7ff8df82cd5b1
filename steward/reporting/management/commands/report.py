"""`steward report service --client C --period 2026-10 --format pdf|html|csv [--paper a4|letter]
-o FILE`, or `--all-clients -o DIR` for every client with a progress bar."""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils import timezone
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from steward.obligations.periods import Period
from steward.reporting.choices import Paper
from steward.reporting.services import (
    ReportError,
    build_service_report,
    render_csv,
    render_html,
    render_pdf,
)
from steward.tenancy.models import Client

FORMATS = ("pdf", "html", "csv")


def find_client(ref: str) -> Client:
    """A client by id, code (slug) or name."""
    match = Q(code=ref) | Q(name=ref)
    if ref.isdigit():
        match |= Q(pk=int(ref))
    found = list(Client.objects.filter(match)[:2])
    if len(found) != 1:
        raise CommandError(f"--client {ref!r}: no client with this id, code or name")
    return found[0]


def render(client: Client, period: str | None, fmt: str, paper: str) -> tuple[bytes, str]:
    """The report of ``client`` in ``fmt`` and the file name it would have."""
    key = period or Period.at(timezone.now(), client.timezone).previous().key
    report = build_service_report(client, key)
    if fmt == "pdf":
        return render_pdf(report, paper=paper), f"{report.filename_stem}-{paper}.pdf"
    if fmt == "csv":
        return render_csv(report), f"{report.filename_stem}.csv"
    return render_html(report, standalone=True).encode(), f"{report.filename_stem}.html"


class Command(BaseCommand):
    help = (
        "Service reports: `service --client C --period YYYY-MM --format pdf|html|csv "
        "[--paper a4|letter] -o FILE`, or `service --all-clients -o DIR`."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        service = sub.add_parser("service", help="render the monthly service report")
        who = service.add_mutually_exclusive_group(required=True)
        who.add_argument("--client", help="client id, code or name")
        who.add_argument("--all-clients", action="store_true", help="every client, into -o DIR")
        service.add_argument(
            "--period", help="YYYY-MM (default: the last complete month in the client's zone)"
        )
        service.add_argument("--format", choices=FORMATS, default="pdf")
        service.add_argument("--paper", choices=Paper.values, default=Paper.A4)
        service.add_argument(
            "-o", "--output", help="file (one client; '-' or absent: standard output for html/csv)"
        )

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if options["all_clients"]:
            self._all(options)
            return
        client = find_client(options["client"])
        try:
            data, _ = render(client, options["period"], options["format"], options["paper"])
        except ReportError as exc:
            raise CommandError(str(exc)) from None
        target = options["output"]
        if target in (None, "-"):
            if options["format"] == "pdf" and target is None:
                raise CommandError("-o: a PDF needs a file (or '-' for standard output)")
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
            return
        Path(target).write_bytes(data)
        self.stderr.write(f"wrote {target} ({len(data)} bytes)")

    def _all(self, options: dict[str, Any]) -> None:
        if not options["output"]:
            raise CommandError("-o: --all-clients needs a directory")
        folder = Path(options["output"])
        folder.mkdir(parents=True, exist_ok=True)
        clients = list(Client.objects.order_by("name", "pk"))
        console = Console(stderr=True)
        columns = (
            TextColumn("rendering reports"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.description}"),
        )
        failed: list[str] = []
        with Progress(*columns, console=console, disable=not console.is_terminal) as bar:
            job = bar.add_task("", total=len(clients))
            for client in clients:
                bar.update(job, description=client.name)
                try:
                    data, name = render(
                        client, options["period"], options["format"], options["paper"]
                    )
                except ReportError as exc:
                    failed.append(f"{client.name}: {exc}")
                else:
                    (folder / name).write_bytes(data)
                bar.advance(job)
        self.stdout.write(f"{len(clients) - len(failed)} report(s) written to {folder}")
        for problem in failed:
            self.stderr.write(f"error: {problem}")
        if failed:
            raise CommandError(f"{len(failed)} report(s) failed; see above")
