"""The notify test world: a real SMTP server and a real HTTP webhook receiver on loopback,
and tasks run at once (``immediate``) where a test wants the after-commit path end to end."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.servicedesk.smtp import HOST, Sink, free_port, serving_sink


@pytest.fixture
def sink(settings: Any) -> Iterator[Sink]:
    with serving_sink(settings) as found:
        yield found


@pytest.fixture
def immediate(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@dataclass
class Receiver:
    """A webhook endpoint on loopback that keeps every JSON body posted to it. ``start`` and
    ``stop`` bring it up and down on the same port (a down channel is a closed port)."""

    port: int
    bodies: list[dict[str, Any]] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"json://{HOST}:{self.port}/hook"

    def start(self) -> None:
        bodies = self.bodies

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                bodies.append(json.loads(self.rfile.read(length)))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer((HOST, self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver(free_port())
    try:
        yield found
    finally:
        found.stop()
