from __future__ import annotations

import os
import signal
import socket
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from steward.core.schedule import SchedulerThread


class Command(BaseCommand):
    help = "Run the scheduler that enqueues periodic jobs; several may run, one holds the lease."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--tick", type=float, default=5.0, help="seconds between checks")

    def handle(self, *args: Any, tick: float, **options: Any) -> None:
        scheduler = SchedulerThread(holder=f"{socket.gethostname()}-{os.getpid()}", tick=tick)
        signal.signal(signal.SIGTERM, lambda *_: scheduler.stop())
        scheduler.start()
        self.stdout.write("scheduler running; Ctrl-C to stop")
        try:
            while scheduler.is_alive():
                scheduler.join(1.0)
        except KeyboardInterrupt:
            scheduler.stop()
            scheduler.join()
