"""``steward mail-poll``: read an IMAP mailbox and turn its unseen mail into tickets and
replies."""

from __future__ import annotations

import logging
import signal
import threading
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from steward.servicedesk.mail.imap import ImapAccount, poll_once

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Read unseen mail from an IMAP folder; mark it seen (or move it) once stored."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", required=True)
        parser.add_argument("--port", type=int, default=None, help="default: 993, 143 otherwise")
        parser.add_argument("--user", required=True)
        parser.add_argument("--password-file", required=True, type=Path)
        parser.add_argument("--folder", default="INBOX")
        parser.add_argument("--move-to", default="", help="folder for stored messages")
        security = parser.add_mutually_exclusive_group()
        security.add_argument("--ssl", dest="security", action="store_const", const="ssl")
        security.add_argument("--starttls", dest="security", action="store_const", const="starttls")
        security.add_argument(
            "--plain",
            dest="security",
            action="store_const",
            const="plain",
            help="no TLS (a server on this machine only)",
        )
        parser.add_argument("--once", action="store_true", help="one pass, then exit")
        parser.add_argument("--interval", type=int, default=60, help="seconds between passes")

    def handle(self, *args: Any, **options: Any) -> None:
        account = self._account(options)
        stop = threading.Event()
        if not options["once"]:
            for number in (signal.SIGINT, signal.SIGTERM):
                signal.signal(number, lambda *_: stop.set())
        while True:
            try:
                results = poll_once(account, timezone.now)
            except Exception as exc:  # a passing outage: try again at the next pass
                if options["once"]:
                    raise CommandError(f"mail-poll: {exc}") from exc
                log.warning("mail-poll: %s", exc)
                results = []
            for result in results:
                self.stdout.write(f"{result.mail.message_id}: {result.disposition}")
            if options["once"] or stop.wait(max(1, options["interval"])):
                return

    def _account(self, options: dict[str, Any]) -> ImapAccount:
        security = options["security"] or "ssl"
        try:
            password = options["password_file"].read_text().strip()
        except OSError as exc:
            raise CommandError(f"--password-file: {exc.strerror}") from exc
        port = options["port"] or (993 if security == "ssl" else 143)
        return ImapAccount(
            host=options["host"],
            port=port,
            user=options["user"],
            password=password,
            folder=options["folder"],
            security=security,
            move_to=options["move_to"],
        )
