"""`steward report service --client C --period 2026-10 --format pdf|html|csv [--paper a4|letter]
-o FILE`, or `--all-clients -o DIR` for every client with a progress bar."""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from steward.reporting.batch import render, render_all
from steward.reporting.choices import Paper
from steward.reporting.services import ReportError
from steward.tenancy.commands import find_client
from steward.tenancy.models import Client

FORMATS = ("pdf", "html", "csv")


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
        service.add_argument(
            "--jobs",
            type=int,
            default=1,
            help="with --all-clients: render in this many processes (e.g. the number of cores)",
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
        ids = list(Client.objects.order_by("name", "pk").values_list("pk", flat=True))
        if options["jobs"] < 1:
            raise CommandError("--jobs: at least 1")
        console = Console(stderr=True)
        columns = (
            TextColumn("rendering reports"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        failed: list[str] = []
        results = render_all(
            str(folder),
            ids,
            options["period"],
            options["format"],
            options["paper"],
            options["jobs"],
        )
        with Progress(*columns, console=console, disable=not console.is_terminal) as bar:
            job = bar.add_task("", total=len(ids))
            for problem in results:
                if problem:
                    failed.append(problem)
                bar.advance(job)
        clients = ids
        self.stdout.write(f"{len(clients) - len(failed)} report(s) written to {folder}")
        for problem in failed:
            self.stderr.write(f"error: {problem}")
        if failed:
            raise CommandError(f"{len(failed)} report(s) failed; see above")
