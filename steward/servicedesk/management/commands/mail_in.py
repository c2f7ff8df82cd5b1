"""``steward mail-in``: receive mail over SMTP and turn it into tickets and replies."""

from __future__ import annotations

import logging
import signal
import threading
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from steward.servicedesk.mail.smtpd import make_controller, max_message_bytes


class Command(BaseCommand):
    help = (
        "Listen for mail over SMTP; each message opens a ticket, adds a reply or waits in triage."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=2525)

    def handle(self, *args: Any, host: str, port: int, **options: Any) -> None:
        # aiosmtpd logs every SMTP command at INFO; keep its warnings only (STEWARD_LOG_LEVEL
        # still governs Steward's own messages).
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        stop = threading.Event()
        for number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(number, lambda *_: stop.set())
        controller = make_controller(host, port)
        controller.start()
        self.stdout.write(
            f"mail-in: listening on {host}:{port} (messages up to {max_message_bytes():,} bytes)"
        )
        try:
            stop.wait()
        finally:
            controller.stop()
            controller.handler.close()
            self.stdout.write("mail-in: stopped")
