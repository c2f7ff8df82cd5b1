"""`steward sla recompute [--client CODE] [--dry-run]`: replay every ticket's SLA clocks."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from steward.servicedesk.services.sla import Recomputed, recompute_sla
from steward.tenancy.models import Client


class DryRun(Exception):
    """Raised to roll back a dry run after it has computed every change."""


class Command(BaseCommand):
    help = (
        "SLA clocks: `recompute [--client CODE] [--dry-run]` replays each ticket's clocks from "
        "its event log with the policy and calendar as they are now (after a correction); every "
        "changed outcome is written to the audit log."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        recompute = sub.add_parser("recompute", help="replay SLA clocks from the event logs")
        recompute.add_argument("--client", help="client code (default: every client)")
        recompute.add_argument(
            "--dry-run", action="store_true", help="show what would change, change nothing"
        )

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        getattr(self, f"_{action}")(**options)

    def _recompute(self, client: str | None, dry_run: bool, **_: Any) -> None:
        chosen = None
        if client:
            chosen = Client.objects.filter(code=client).first()
            if chosen is None:
                raise CommandError(f"--client: no client with code {client!r}")
        changes: list[Recomputed] = []
        try:
            with transaction.atomic():
                changes = self._run(chosen)
                if dry_run:
                    raise DryRun
        except DryRun:
            pass
        for change in changes:
            shown = ", ".join(f"{k}: {a} -> {b}" for k, (a, b) in sorted(change.changes.items()))
            self.stdout.write(f"#{change.ticket_id}: {shown}")
        verb = "would change" if dry_run else "changed"
        self.stdout.write(f"{len(changes)} ticket(s) {verb}")

    def _run(self, client: Client | None) -> list[Recomputed]:
        console = Console(stderr=True)
        columns = (
            TextColumn("replaying SLA clocks"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=console, disable=not console.is_terminal) as bar:
            job = bar.add_task("recompute", total=None)

            def progress(done: int, total: int) -> None:
                bar.update(job, completed=done, total=total)

            return list(recompute_sla(timezone.now(), client, progress=progress))
