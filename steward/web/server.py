"""Running the web server: in-process for `steward up`, as a process pool for `steward serve`.

`steward up` runs uvicorn (ASGI) in its own process, beside the task worker and scheduler
threads. `steward serve` runs granian with Django's WSGI handler in several processes: the
views are synchronous, and under ASGI every one of them hops onto one shared thread
(asgiref's thread-sensitive executor). Measured with bench/api_read.py on two cores, WSGI
workers spend about a quarter less CPU per request and scale over cores (docs/demo-and-bench.md).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import uvicorn
from django.db import connections
from granian.constants import HTTPModes, Interfaces
from granian.log import LogLevels
from granian.server import Server as Granian


def make_server(host: str, port: int, workers: int = 1) -> uvicorn.Server:
    config = uvicorn.Config(
        "steward.asgi:application",
        host=host,
        port=port,
        workers=workers,
        lifespan="off",
        log_level="warning",
        access_log=False,
        # Static files are served by WhiteNoise; keep-alive matters for API clients.
        timeout_keep_alive=30,
    )
    return uvicorn.Server(config)


def default_workers() -> int:
    """One process per core: each runs Python on its own GIL."""
    return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 0  # 0: one per core
    # Threads per process. The GIL runs one at a time, so a second thread mostly adds GIL
    # hand-offs to the tail: bench/tickets.py's list p99 at 16 connections was 70-83 ms with
    # one thread against 94-98 ms with two on SQLite, and 88-94 ms against 99-120 ms on
    # PostgreSQL (bench/api_read.py had measured 1, 2 and 4 within noise of each other).
    threads: int = 1


def serve(options: ServeOptions) -> None:
    """Serve the WSGI application until SIGINT/SIGTERM (granian drains, then returns)."""
    # Worker processes are forked from this one: never hand them an open database connection.
    connections.close_all()
    Granian(
        "steward.wsgi:application",
        address=options.host,
        port=options.port,
        interface=Interfaces.WSGI,
        workers=options.workers or default_workers(),
        blocking_threads=options.threads,
        http=HTTPModes.auto,
        websockets=False,
        log_level=LogLevels.warning,
        log_access=False,
        respawn_failed_workers=True,
    ).serve()
