"""`steward agent`: collect metrics, inventory and posture facts and push them to the server.

    steward agent --server https://steward.example.com --token sta_… [--once]

Each cycle puts one batch into the buffer (a SQLite file in the state dir) and flushes the buffer
through the uploader, oldest batch first; batches wait there while the server is unreachable.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from steward.agent.cycle import Collector
from steward.agent.identity import identify
from steward.agent.state import StateDir, default_state_dir
from steward.collector.transport import Buffer, Uploader

log = logging.getLogger("steward.agent")

TOKEN_ENV = "STEWARD_AGENT_TOKEN"  # noqa: S105 - the variable's name, not a secret
EXIT_OK = 0
EXIT_FAILURE = 1  # --once: the cycle could not collect (logged)
EXIT_USAGE = 2
EXIT_PENDING = 75  # EX_TEMPFAIL: batches are buffered and will be sent by a later run
# Between cycles, a failed upload is retried no more often than this.
MIN_RETRY_WAIT_S = 1.0


@dataclass(frozen=True)
class AgentConfig:
    server: str
    token: str
    state_dir: Path
    interval_s: float = 60.0
    inventory_interval_s: float = 6 * 3600.0
    buffer_max_bytes: int = 50 * 1024 * 1024


def parse_args(argv: Sequence[str]) -> tuple[AgentConfig, bool]:
    """(config, once) from the command line; argparse exits 2 naming the bad option."""
    parser = argparse.ArgumentParser(prog="steward agent", description=__doc__.splitlines()[0])
    parser.add_argument("--server", required=True, help="Steward's base URL")
    parser.add_argument("--token", help=f"the agent's token (or set {TOKEN_ENV})")
    parser.add_argument(
        "--token-file",
        type=Path,
        help=f"a file holding the token, kept out of the process list (or {TOKEN_ENV}_FILE)",
    )
    parser.add_argument("--state-dir", type=Path, default=None, help="buffer, ids and counters")
    parser.add_argument("--interval", type=_positive, default=60.0, help="seconds between cycles")
    parser.add_argument(
        "--inventory-interval",
        type=_not_negative,
        default=6 * 3600.0,
        help="seconds between inventory and posture readings (default 6 h)",
    )
    parser.add_argument("--buffer-max-mb", type=_positive, default=50.0)
    parser.add_argument("--once", action="store_true", help="one cycle, flush, exit")
    args = parser.parse_args(list(argv))
    url = urlsplit(args.server)
    if url.scheme not in ("http", "https") or not url.netloc:
        parser.error(f"--server: {args.server!r} is not an http(s) URL")
    try:
        token = _token(args.token, args.token_file)
    except ValueError as exc:
        parser.error(str(exc))
    config = AgentConfig(
        server=args.server,
        token=token,
        state_dir=args.state_dir or default_state_dir(),
        interval_s=args.interval,
        inventory_interval_s=args.inventory_interval,
        buffer_max_bytes=int(args.buffer_max_mb * 1024 * 1024),
    )
    return config, args.once


def _token(given: str | None, file: Path | None) -> str:
    """The token from --token, --token-file, STEWARD_AGENT_TOKEN or STEWARD_AGENT_TOKEN_FILE,
    the first one set. ValueError naming the option when none is or the file cannot be read."""
    env_file = os.environ.get(f"{TOKEN_ENV}_FILE")
    if given:
        token = given
    elif file is not None:
        token = _read_token(file, "--token-file")
    elif os.environ.get(TOKEN_ENV):
        token = os.environ[TOKEN_ENV]
    elif env_file:
        token = _read_token(Path(env_file), f"{TOKEN_ENV}_FILE")
    else:
        token = ""
    if not token.strip():
        raise ValueError(
            f"--token: missing or empty (pass --token or --token-file, or set {TOKEN_ENV})"
        )
    return token.strip()


def _read_token(path: Path, option: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"{option}: cannot read {path} ({exc.strerror or exc})") from None


def _positive(text: str) -> float:
    value = _not_negative(text)
    if value == 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return value


def _not_negative(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} must be a finite number, 0 or more")
    return value


async def run(
    config: AgentConfig,
    stop: asyncio.Event,
    *,
    once: bool = False,
    client: httpx.AsyncClient | None = None,
) -> int:
    """Run cycles every `interval_s` until `stop` is set (or one cycle with `once`).

    Returns EXIT_OK when nothing is left in the buffer, EXIT_PENDING when batches wait for the
    server (a later run or cycle sends them), EXIT_FAILURE when a `once` cycle collected nothing.
    """
    state = StateDir(config.state_dir)
    collector = Collector(identify(config.state_dir), state, config.inventory_interval_s)
    buffer = Buffer(state.buffer_path, config.buffer_max_bytes)
    uploader = Uploader(config.server, config.token, buffer, client)
    try:
        while True:
            cycle_started = time.monotonic()
            collected = await _cycle(collector, buffer)
            sent = await uploader.flush()
            log.info("sent %d batches, %d pending", sent, buffer.pending())
            if once:
                return EXIT_FAILURE if not collected else _exit_code(buffer)
            if stop.is_set():
                break
            await _wait_for_next_cycle(cycle_started + config.interval_s, stop, uploader)
            if stop.is_set():
                break
        return _exit_code(buffer)
    finally:
        await uploader.aclose()
        buffer.close()


async def _cycle(collector: Collector, buffer: Buffer) -> bool:
    """Collect one batch into the buffer; False (and logged) when that failed. A failed cycle
    does not stop the agent: the next one may well succeed, and buffered batches still go."""
    try:
        batch, report = await asyncio.to_thread(collector.collect)
        batch_id = buffer.put(batch)
    except Exception:
        log.exception("cycle failed; nothing collected this time")
        return False
    log.info(
        "cycle %s: %d samples, %d facts%s in %.2f s",
        batch_id,
        report.samples,
        len(report.facts),
        " (inventory read)" if report.inventory_read else "",
        report.duration_s,
    )
    return True


def _exit_code(buffer: Buffer) -> int:
    return EXIT_PENDING if buffer.pending() else EXIT_OK


async def _wait_for_next_cycle(deadline: float, stop: asyncio.Event, uploader: Uploader) -> None:
    """Sleep until `deadline` (monotonic) or `stop`; meanwhile retry pending uploads when the
    uploader's back-off allows."""
    while not stop.is_set() and (remaining := deadline - time.monotonic()) > 0:
        wait = remaining
        if uploader.buffer.pending():
            wait = min(remaining, max(MIN_RETRY_WAIT_S, uploader.wait_s()))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=wait)
        if not stop.is_set() and uploader.buffer.pending() and uploader.wait_s() == 0:
            await uploader.flush()


async def _run_until_signalled(config: AgentConfig, once: bool) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # no loop signal handlers on Windows
            loop.add_signal_handler(signum, stop.set)
    return await run(config, stop, once=once)


def main(argv: list[str] | None = None) -> int:
    """The `steward agent` command; returns the process exit code."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        config, once = parse_args(sys.argv[1:] if argv is None else argv)
    except SystemExit as exc:
        return int(exc.code or 0) if isinstance(exc.code, int) else EXIT_USAGE
    return asyncio.run(_run_until_signalled(config, once))
