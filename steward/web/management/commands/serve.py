from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from steward.web.server import ServeOptions, default_workers, serve


def at_least_one(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Serve the web UI and API with several processes "
        "(production: run `steward worker` and `steward beat` beside it)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--workers",
            type=at_least_one,
            default=default_workers(),
            help="server processes (default: one per core)",
        )
        parser.add_argument(
            "--threads",
            type=at_least_one,
            default=ServeOptions.threads,
            help="threads per process (default: %(default)s)",
        )

    def handle(
        self, *args: Any, host: str, port: int, workers: int, threads: int, **options: Any
    ) -> None:
        serve(ServeOptions(host=host, port=port, workers=workers, threads=threads))
