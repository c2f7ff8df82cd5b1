"""Agent test helpers: captured samples and a real ingest stub on loopback."""

from __future__ import annotations

import gzip
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

SAMPLES = Path(__file__).parent / "samples"


def sample(name: str) -> str:
    return (SAMPLES / name).read_text(encoding="utf-8")


@dataclass
class Received:
    authorization: str
    content_encoding: str
    batch: dict[str, Any]


@dataclass
class IngestStub:
    """`POST /api/v1/ingest` on 127.0.0.1 answering like the server: 200, `duplicate` when the
    batch id was seen before. `stop()` then `start()` takes it down and back on the same port."""

    port: int = 0
    received: list[Received] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                encoding = self.headers.get("Content-Encoding", "")
                batch = json.loads(gzip.decompress(body) if encoding == "gzip" else body)
                seen = {r.batch["batch_id"] for r in stub.received}
                stub.received.append(
                    Received(self.headers.get("Authorization", ""), encoding, batch)
                )
                answer = {"batch_id": batch["batch_id"], "duplicate": batch["batch_id"] in seen}
                data = json.dumps(answer).encode()
                self.send_response(200 if self.path == "/api/v1/ingest" else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_address[1]
        serve = self._server.serve_forever
        threading.Thread(target=serve, kwargs={"poll_interval": 0.02}, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def batch_ids(self) -> list[str]:
        return [r.batch["batch_id"] for r in self.received]


@pytest.fixture
def ingest_stub() -> Iterator[IngestStub]:
    stub = IngestStub()
    stub.start()
    yield stub
    stub.stop()
