"""`steward export tickets --client C --since DATE [--until DATE] --format csv|json [-o FILE]`."""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from steward.servicedesk.exporting import client_tickets, export_tickets
from steward.servicedesk.models import Ticket
from steward.tenancy.models import Client


class Command(BaseCommand):
    help = (
        "Export tickets: `tickets --client C --since DATE [--until DATE] --format csv|json` "
        "writes the tickets created in [since, until) with their SLA outcome, in the import "
        "format (so the file can be imported again)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        tickets = sub.add_parser("tickets", help="export tickets with their SLA outcome")
        tickets.add_argument("--client", required=True, help="client code")
        tickets.add_argument("--since", required=True, help="first day (in the client's zone)")
        tickets.add_argument("--until", help="the day after the last (default: no end)")
        tickets.add_argument("--format", choices=("csv", "json"), default="csv")
        tickets.add_argument("-o", "--output", help="file to write (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        client = Client.objects.filter(code=options["client"]).first()
        if client is None:
            raise CommandError(f"--client: no client with code {options['client']!r}")
        try:
            tickets = client_tickets(
                Ticket.objects.all(), client, options["since"], options["until"]
            )
        except ValueError as error:
            raise CommandError(f"--{error}") from None
        total = tickets.count()
        output = options["output"]
        try:
            stream = open(output, "w", encoding="utf-8", newline="") if output else None  # noqa: SIM115
        except OSError as error:
            raise CommandError(f"{output}: {error.strerror}") from None
        console = Console(stderr=True)
        columns = (TextColumn("exporting tickets"), BarColumn(), MofNCompleteColumn())
        disable = not console.is_terminal or stream is None
        with Progress(*columns, console=console, disable=disable) as bar:
            job = bar.add_task("export", total=total)
            for part in export_tickets(tickets, options["format"]):
                if stream is not None:
                    stream.write(part)
                else:
                    self.stdout.write(part, ending="")
                # One line a ticket (JSON exactly; CSV unless a description spans lines).
                bar.update(job, completed=min(total, bar.tasks[0].completed + part.count("\n")))
        if stream is not None:
            stream.close()
            print(f"exported {total} ticket(s) to {output}", file=sys.stderr)
