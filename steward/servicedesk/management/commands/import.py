"""`steward import tickets FILE [--client C] [--format csv|json|jsonl] [--dry-run] [--as USER]`."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from steward.core.audit import acting_as
from steward.core.choices import AuditSource
from steward.servicedesk.importing import (
    FORMATS,
    ImportReport,
    PayloadError,
    format_for,
    import_tickets,
)
from steward.tenancy.choices import Role
from steward.tenancy.models import User
from steward.tenancy.scoping import is_active_staff


class Command(BaseCommand):
    help = (
        "Import historical tickets: `tickets FILE` reads CSV, JSON or JSON Lines (the format "
        "from the file name or --format), computes each ticket's SLA outcome with the client's "
        "policy in effect at creation, and reports rows imported, duplicates and errors."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        tickets = sub.add_parser("tickets", help="import historical tickets")
        tickets.add_argument("file", help="the file to read (UTF-8)")
        tickets.add_argument("--client", default="", help="client code of rows naming none")
        tickets.add_argument("--format", choices=FORMATS, help="default: from the file name")
        tickets.add_argument("--dry-run", action="store_true", help="check and report only")
        tickets.add_argument(
            "--as",
            dest="as_user",
            help="username the import is recorded as, and the author of replies without 'by' "
            "(default: the first owner)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = self._user(options["as_user"])
        path = options["file"]
        fmt = options["format"] or format_for(path)
        if fmt is None:
            raise CommandError("--format: cannot tell the format from the file name; give it")
        try:
            stream = open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115 (closed below)
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}") from None
        with stream, acting_as(user, AuditSource.CLI):
            report = self._run(stream, fmt, user, options)
        self._show(report)

    def _user(self, username: str | None) -> User:
        if username:
            user = User.objects.filter(username=username).first()
            if user is None or not is_active_staff(user):
                raise CommandError(f"--as: no active staff user {username!r}")
            return user
        owner = User.objects.filter(role=Role.OWNER, is_active=True).order_by("pk").first()
        if owner is None:
            raise CommandError("--as: there is no active owner; name the user to import as")
        return owner

    def _run(self, stream: Any, fmt: str, user: User, options: dict[str, Any]) -> ImportReport:
        console = Console(stderr=True)
        columns = (
            SpinnerColumn(),
            TextColumn("importing tickets: {task.completed} rows read"),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=console, disable=not console.is_terminal) as bar:
            job = bar.add_task("import", total=None)
            try:
                return import_tickets(
                    stream,
                    fmt=fmt,
                    user=user,
                    client=options["client"],
                    dry_run=options["dry_run"],
                    progress=lambda done: bar.update(job, completed=done),
                )
            except PayloadError as error:
                raise CommandError(str(error)) from None
            except UnicodeDecodeError:
                raise CommandError("the file is not UTF-8 text; nothing was imported") from None

    def _show(self, report: ImportReport) -> None:
        for error in report.errors:
            self.stdout.write(str(error))
        for duplicate in report.duplicates:
            self.stdout.write(
                f"row {duplicate.row}: {duplicate.client} already has {duplicate.external_ref!r}"
            )
        verb = "would import" if report.dry_run else "imported"
        self.stdout.write(
            f"{verb} {report.imported} ticket(s) with {report.events} event(s); "
            f"{len(report.duplicates)} duplicate(s), {report.rejected_rows} row(s) with errors"
        )
        if report.rejected_rows:
            raise CommandError(f"{report.rejected_rows} row(s) not imported (listed above)")
