"""A small ingest server for collector tests: the two endpoints of docs/ingest.md on loopback,
in a thread. It records batches (deduplicated by batch_id, as the real server does), can be told
to answer with errors or to lose its answer, and can be stopped and started on the same port."""

from __future__ import annotations

import gzip
import json
import socket
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Scripted:
    """One forced answer: a status (with an optional Retry-After), or `lose` = store the batch
    and close the connection without answering, then stop the server (a crash mid-request)."""

    status: int = 200
    retry_after: str | None = None
    lose: bool = False


@dataclass
class IngestStub:
    token: str = "stc_test_secret"
    assignments: dict[str, Any] = field(default_factory=lambda: {"checks": [], "version": "0"})
    port: int = 0
    batches: list[dict[str, Any]] = field(default_factory=list)  # accepted, first arrival order
    duplicates: int = 0
    requests: int = 0
    script: deque[Scripted] = field(default_factory=deque)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def batch_ids(self) -> list[str]:
        return [batch["batch_id"] for batch in self.batches]

    def start(self) -> IngestStub:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                if not stub._authorised(self):
                    return
                self._answer(200, stub.assignments)

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with stub._lock:
                    stub.requests += 1
                    scripted = stub.script.popleft() if stub.script else Scripted()
                if not stub._authorised(self):
                    return
                if scripted.status != 200:
                    headers = {"Retry-After": scripted.retry_after} if scripted.retry_after else {}
                    self._answer(scripted.status, {"detail": "scripted"}, headers)
                    return
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                batch = json.loads(body)
                duplicate = stub._store(batch)
                if scripted.lose:
                    stub.stop()  # the listener is gone before the client sees the lost answer
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self._answer(200, {"batch_id": batch["batch_id"], "duplicate": duplicate})

            def _answer(
                self, status: int, payload: object, headers: dict[str, str] | None = None
            ) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()

    def _authorised(self, handler: BaseHTTPRequestHandler) -> bool:
        if handler.headers.get("Authorization") == f"Bearer {self.token}":
            return True
        data = b'{"detail": "token"}'
        handler.send_response(401)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)
        return False

    def _store(self, batch: dict[str, Any]) -> bool:
        with self._lock:
            if batch["batch_id"] in {b["batch_id"] for b in self.batches}:
                self.duplicates += 1
                return True
            self.batches.append(batch)
            return False
