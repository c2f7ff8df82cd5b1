"""`steward obligations evaluate --period 2026-10 [--client CODE] [--recompute-closed]`."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from steward.obligations.evaluation import EvaluationRun, evaluate_all
from steward.obligations.periods import Period, PeriodError
from steward.tenancy.models import Client


class Command(BaseCommand):
    help = "Obligations: `evaluate --period 2026-10 [--client CODE] [--recompute-closed]`."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        evaluate = sub.add_parser("evaluate", help="evaluate obligations for a period")
        evaluate.add_argument(
            "--period", help="YYYY-MM or YYYY-Qn (default: the current month, UTC)"
        )
        evaluate.add_argument("--client", action="append", help="client code (repeatable)")
        evaluate.add_argument(
            "--recompute-closed",
            action="store_true",
            help="also recompute final results of closed periods (audited)",
        )

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        getattr(self, f"_{action}")(**options)

    def _evaluate(
        self, period: str | None, client: list[str] | None, recompute_closed: bool, **_: Any
    ) -> None:
        now = timezone.now()
        try:
            chosen = Period.parse(period) if period else Period.at(now, "UTC")
        except PeriodError as exc:
            raise CommandError(f"--period: {exc}") from None
        clients = None
        if client:
            clients = list(Client.objects.filter(code__in=client))
            missing = sorted(set(client) - {c.code for c in clients})
            if missing:
                raise CommandError(f"--client: no client with code {', '.join(missing)}")
        run = self._run(chosen, now, clients, recompute_closed)
        self.stdout.write(
            f"{chosen.key}: {run.created} created, {run.updated} updated, "
            f"{run.kept} kept (closed, final)"
        )
        for error in run.errors:
            self.stderr.write(f"error: {error}")
        if run.errors:
            raise CommandError(f"{len(run.errors)} measure(s) failed; see above")

    def _run(
        self, period: Period, now: Any, clients: list[Client] | None, recompute: bool
    ) -> EvaluationRun:
        # Rich draws to the terminal (stderr) only when there is one; captured output stays clean.
        console = Console(stderr=True)
        columns = (
            TextColumn(f"evaluating {period.key}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=console, disable=not console.is_terminal) as bar:
            job = bar.add_task("evaluate", total=None)

            def progress(done: int, total: int) -> None:
                bar.update(job, completed=done, total=total)

            return evaluate_all(
                period, now, clients=clients, progress=progress, recompute_closed=recompute
            )
