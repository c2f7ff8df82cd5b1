"""`steward collector`: pull assignments, run checks, ship results; until SIGINT or SIGTERM.

`run()` is the whole collector as a coroutine, so `steward up` can run one in-process through
the same path as a remote one."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import signal
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from steward.collector.assignments import Assignment, fetch_assignments, parse_assignments
from steward.collector.checks import CheckContext, CheckOutcome, CheckSpec
from steward.collector.scheduler import Scheduler
from steward.collector.transport import Batcher, Buffer, Uploader

log = logging.getLogger("steward.collector")

TOKEN_ENV = "STEWARD_COLLECTOR_TOKEN"  # noqa: S105 (the name of the variable)
BUFFER_FILE, ASSIGNMENTS_FILE = "buffer.sqlite3", "assignments.json"
DEFAULT_STATE_DIR = Path.home() / ".steward-collector"
FINAL_FLUSH_S, REPORT_EVERY_S = 10.0, 60.0


class Collector:
    """The parts of one collector wired together: scheduler -> batcher -> buffer -> uploader."""

    def __init__(
        self, server: str, token: str, state_dir: Path, concurrency: int, max_buffer_bytes: int
    ) -> None:
        state_dir.mkdir(parents=True, exist_ok=True)
        self.server, self.token, self.state_dir = server, token, state_dir
        self.batcher = Batcher()
        self.buffer = Buffer(state_dir / BUFFER_FILE, max_buffer_bytes)
        self.client = httpx.AsyncClient(timeout=30.0)
        self.uploader = Uploader(server, token, self.buffer, self.client)
        self.ctx = CheckContext(max_connections=concurrency)
        self.scheduler = Scheduler(self.ctx, self.record, concurrency)
        self.version: str | None = None

    def record(self, spec: CheckSpec, started: float, outcome: CheckOutcome) -> None:
        at = datetime.fromtimestamp(started, UTC)
        self.batcher.add_result(
            spec.id, at, outcome.state.value, outcome.summary, outcome.duration_ms
        )
        for sample in outcome.samples:
            self.batcher.add_point(
                sample.metric, sample.value, started, sample.labels, check_id=spec.id
            )

    # 1. Assignments: from the server every `refresh_s`; the last good one is kept on disk so a
    #    collector restarted during an outage still runs its checks.
    async def refresh(self) -> None:
        cache = self.state_dir / ASSIGNMENTS_FILE
        try:
            assignment = await fetch_assignments(self.client, self.server, self.token)
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("could not read assignments (%s)", exc)
            if self.version is not None or not cache.exists():
                return
            try:
                assignment = parse_assignments(json.loads(cache.read_text()))
            except (OSError, ValueError) as cache_exc:
                log.warning("the assignment kept in %s is unreadable (%s)", cache, cache_exc)
                return
            log.info("running the %d checks assigned before", len(assignment.checks))
        else:
            try:
                cache.write_text(json.dumps(self._as_payload(assignment)))
            except OSError as exc:
                log.warning("could not keep the assignment in %s (%s)", cache, exc)
        if assignment.version == self.version:
            return
        for error in assignment.errors:
            log.error("assignment refused: %s", error)
        changes = self.scheduler.apply(assignment.checks)
        self.version = assignment.version
        log.info(
            "assignment %s: %d checks (%d added, %d changed, %d removed)",
            assignment.version,
            len(assignment.checks),
            len(changes.added),
            len(changes.changed),
            len(changes.removed),
        )

    @staticmethod
    def _as_payload(assignment: Assignment) -> dict[str, object]:
        checks = [
            {
                "id": c.id,
                "type": c.type,
                "interval_s": c.interval_s,
                "timeout_s": c.timeout_s,
                "params": dict(c.params),
            }
            for c in assignment.checks.values()
        ]
        return {"version": assignment.version, "checks": checks}

    # 2. Shipping: cut what the checks produced into batches, buffer them, send the oldest.
    async def ship(self) -> None:
        while (batch := self.batcher.cut()) is not None:
            try:
                self.buffer.put(batch)
            except ValueError as exc:  # a runner produced something JSON cannot carry
                log.error("batch dropped: %s", exc)
        if self.uploader.wait_s() == 0:
            await self.uploader.flush()

    def report(self) -> None:
        stats = self.scheduler.stats
        log.info(
            "%d checks run; start lag p50 %.1f ms, p99 %.1f ms; %d slots missed, %d overlapped; "
            "%d batches pending, %d dropped",
            stats.runs,
            stats.quantile(0.5) * 1000,
            stats.quantile(0.99) * 1000,
            stats.missed,
            stats.overlapped,
            self.buffer.pending(),
            self.buffer.dropped,
        )

    async def close(self) -> None:
        await self.ctx.aclose()
        await self.client.aclose()
        self.buffer.close()


async def _every(seconds: float, stop: asyncio.Event) -> bool:
    """Wait `seconds` or until `stop`; True while the loop should go on."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
    return not stop.is_set()


async def run(
    server: str,
    token: str,
    state_dir: Path,
    stop: asyncio.Event,
    *,
    concurrency: int = 200,
    max_buffer_bytes: int = 64 * 2**20,
    refresh_s: float = 60.0,
    ship_s: float = 2.0,
) -> None:
    """Run one collector until `stop` is set, then ship what is left (bounded in time)."""
    collector = Collector(server, token, state_dir, concurrency, max_buffer_bytes)

    async def refreshing() -> None:
        while True:
            await collector.refresh()
            if not await _every(refresh_s, stop):
                return

    async def shipping() -> None:
        last_report = time.monotonic()
        while await _every(ship_s, stop):
            await collector.ship()
            if time.monotonic() - last_report >= REPORT_EVERY_S:
                collector.report()
                last_report = time.monotonic()

    try:
        async with asyncio.TaskGroup() as group:
            group.create_task(collector.scheduler.run(stop))
            group.create_task(refreshing())
            group.create_task(shipping())
    finally:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(collector.ship(), FINAL_FLUSH_S)
        collector.report()
        await collector.close()


class CollectorThread(threading.Thread):
    """`run()` on its own event loop in a daemon thread: how `steward up` keeps a collector
    beside the web server without sharing its loop. `stop()` ends it and ships what is left."""

    def __init__(self, server: str, token: str, state_dir: Path, **options: Any) -> None:
        super().__init__(name="steward-collector", daemon=True)
        self.args, self.options = (server, token, state_dir), options
        self._loop_ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop_event: asyncio.Event | None = None

    def run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        self._loop, self._stop_event = asyncio.get_running_loop(), asyncio.Event()
        self._loop_ready.set()
        await run(*self.args, self._stop_event, **self.options)

    def stop(self, timeout_s: float = 20.0) -> None:
        if self._loop_ready.wait(timeout_s) and self._loop and self._stop_event:
            with contextlib.suppress(RuntimeError):  # the loop already ended
                self._loop.call_soon_threadsafe(self._stop_event.set)
        self.join(timeout_s)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="steward collector", description="Run checks for a Steward server."
    )
    parser.add_argument("--server", required=True, help="the Steward server's base URL")
    parser.add_argument("--token", default=os.environ.get(TOKEN_ENV), help=f"or ${TOKEN_ENV}")
    parser.add_argument("--state-dir", type=Path, default=DEFAULT_STATE_DIR)
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--max-buffer-mb", type=float, default=64.0)
    parser.add_argument(
        "--log-level",
        default="INFO",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        type=str.upper,
    )
    args = parser.parse_args(argv)
    if not args.token:
        parser.error(f"--token: required (or set {TOKEN_ENV})")
    if args.concurrency < 1:
        parser.error(f"--concurrency: must be at least 1, got {args.concurrency}")
    if args.max_buffer_mb <= 0:
        parser.error(f"--max-buffer-mb: must be positive, got {args.max_buffer_mb}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(
        level=args.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # httpx logs every request at INFO: thousands a minute, and CPU the checks need.
    logging.getLogger("httpx").setLevel(max(logging.WARNING, logging.root.level))

    async def until_signalled() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await run(
            args.server,
            args.token,
            args.state_dir,
            stop,
            concurrency=args.concurrency,
            max_buffer_bytes=int(args.max_buffer_mb * 2**20),
        )

    asyncio.run(until_signalled())
    return 0
