from __future__ import annotations

import os
import secrets
import signal
import socket
import sys
import threading
import time
import urllib.request
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from steward.core.env import envstr
from steward.core.schedule import SchedulerThread
from steward.core.worker import WorkerThread
from steward.monitoring.embedded import collector_dir, embedded_token
from steward.tenancy.services import ensure_owner
from steward.web.server import make_server


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = (
        "Start Steward in one process: migrate, first-start setup (owner account, demo data), "
        "then the web UI and API with the task worker, the scheduler and a collector."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-demo", action="store_true", help="skip demo data on first start")
        parser.add_argument(
            "--check", action="store_true", help="start, answer one health request, exit 0"
        )
        parser.add_argument(
            "--no-collector", action="store_true", help="do not run the embedded collector"
        )

    def handle(
        self,
        *args: Any,
        host: str,
        port: int,
        no_demo: bool,
        check: bool,
        no_collector: bool,
        **o: Any,
    ) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        first_start = self._ensure_owner()
        if first_start and not no_demo:
            self.stdout.write("Loading demo data (first start; --no-demo skips this)…")
            call_command("demo")
        server = make_server(host, port)
        if check:
            self._check(server, host, port)
            return
        worker, scheduler = (
            WorkerThread(),
            SchedulerThread(holder=f"{socket.gethostname()}-{os.getpid()}"),
        )
        worker.start()
        scheduler.start()
        collector = None if no_collector else self._collector(host, port)
        self.stdout.write(
            self.style.SUCCESS(f"Steward is running at http://{host}:{port}/  (Ctrl-C stops it)")
        )
        # uvicorn drains requests on SIGINT/SIGTERM, then re-raises the signal to the handler that
        # was there before it: make SIGTERM land as KeyboardInterrupt too, so both stop cleanly.
        signal.signal(signal.SIGTERM, _interrupt)
        try:
            server.run()
        except KeyboardInterrupt:
            pass
        finally:
            if collector is not None:
                collector.stop()
            worker.stop()
            scheduler.stop()
            scheduler.join(timeout=10)
            worker.join(timeout=30)
            self.stdout.write("Steward stopped.")

    def _collector(self, host: str, port: int) -> Any:
        """A hosted collector on its own thread, posting to this server like a remote one."""
        from steward.collector.main import CollectorThread

        reach = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104
        thread = CollectorThread(f"http://{reach}:{port}", embedded_token(), collector_dir())
        thread.start()
        return thread

    def _ensure_owner(self) -> bool:
        username = envstr("STEWARD_OWNER_USERNAME", "owner")
        given = envstr("STEWARD_OWNER_PASSWORD", "")
        password = given or secrets.token_urlsafe(12)
        email = envstr("STEWARD_OWNER_EMAIL", "owner@example.com")
        user, created = ensure_owner(username, email, password)
        if created:
            self.stdout.write(self.style.WARNING("First start: created the owner account."))
            self.stdout.write(f"  username: {user.username}")
            if not given:
                self.stdout.write(
                    f"  password: {password}   (shown once; change it after signing in)"
                )
            self.stdout.write(f"  data in:  {settings.STEWARD_HOME}")
        return created

    def _check(self, server: Any, host: str, port: int) -> None:
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        try:
            url = f"http://{host}:{port}/api/v1/health"
            with urllib.request.urlopen(url, timeout=10) as response:
                body = response.read().decode()
            self.stdout.write(body)
        except OSError as exc:
            raise CommandError(f"health check failed: {exc}") from exc
        finally:
            server.should_exit = True
            thread.join(timeout=10)
        sys.stdout.flush()
