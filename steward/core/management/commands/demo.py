from __future__ import annotations

import time
from argparse import ArgumentParser
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from steward.core.demo import DemoContext, DemoRefused, ProgressTask, run_seeders


class _RichTask:
    def __init__(self, progress: Progress, task_id: Any) -> None:
        self._progress, self._task_id = progress, task_id

    def advance(self, amount: int = 1) -> None:
        self._progress.advance(self._task_id, amount)


class RichProgress:
    """One progress bar per seeder step, on the command's output."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress

    def task(self, description: str, total: int) -> ProgressTask:
        return _RichTask(self._progress, self._progress.add_task(description, total=total))


@contextmanager
def rich_progress(console: Console) -> Iterator[RichProgress]:
    columns = (
        TextColumn("{task.description:<28}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        yield RichProgress(progress)


def positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Seed a believable MSP: clients of several sizes, industries and countries with sites, "
        "contacts and portal logins, and the MSP's staff. Each app adds its own demo data. "
        "Refuses when clients already exist unless --append."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--clients", type=positive, default=25, help="how many clients")
        parser.add_argument(
            "--months", type=positive, default=12, help="history length: earliest onboarding"
        )
        parser.add_argument("--seed", type=int, default=42, help="same seed, same data")
        parser.add_argument(
            "--append", action="store_true", help="add demo clients beside existing ones"
        )

    def handle(
        self, *args: Any, clients: int, months: int, seed: int, append: bool, **options: Any
    ) -> None:
        autodiscover_modules("demo")
        started = time.monotonic()
        # Rich writes its own line endings: give it the stream under Django's wrapper.
        console = Console(file=cast(IO[str], self.stdout._out), highlight=False)
        ctx = DemoContext(
            seed=seed, now=timezone.now(), months=months, client_count=clients, append=append
        )
        try:
            with rich_progress(console) as progress:
                ctx.progress = progress
                run_seeders(ctx)
        except DemoRefused as exc:
            raise CommandError(str(exc)) from None
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data: {len(ctx.clients)} clients over {months} months "
                f"(seed {seed}) in {elapsed:.1f} s."
            )
        )
        for credential in ctx.credentials:
            self.stdout.write(
                f"  {credential.label}: {credential.username} / {credential.password}"
            )
        if ctx.credentials:
            self.stdout.write("  (passwords shown once; every other demo account has none)")
