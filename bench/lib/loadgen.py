"""A small HTTP/1.1 load generator: N keep-alive connections on asyncio, each sending the next
request as soon as the previous response is read (a closed loop, like wrk).

It speaks just enough HTTP by hand (no client library), so one process drives well over
10,000 requests/s and the figures measure the server, not the driver. Run it as its own
process, so it does not share an interpreter (or a GIL) with the server:

    python -m bench.lib.loadgen --port 8000 --path /api/v1/clients?limit=50 --token stw_… \
        --duration 20 --concurrency 16

It prints one JSON object: requests, errors, status counts, requests/s and latency
percentiles in milliseconds. ``--check-json KEY=VALUE`` checks a sample of bodies.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    checked: int = 0


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    """One response: (status, body, whether the server will close the connection)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        parts = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            parts.append(await reader.readexactly(size + 2))
            if size == 0:
                break
        body = b"".join(p[:-2] for p in parts)
    else:
        body = await reader.read()
    return status, body, headers.get("connection", "").lower() == "close"


def check_body(body: bytes, expect: dict[str, Any]) -> str | None:
    try:
        data = json.loads(body)
    except ValueError:
        return "body is not JSON"
    for key, value in expect.items():
        if data.get(key) != value:
            return f"{key} is {data.get(key)!r}, expected {value!r}"
    return None


async def connection_loop(
    index: int, args: argparse.Namespace, requests: list[bytes], deadline: float, tally: Tally
) -> None:
    """One client connection; reconnects when the server closes it."""
    reader = writer = None
    n = index
    while time.perf_counter() < deadline:
        if writer is None:
            try:
                reader, writer = await asyncio.open_connection(args.host, args.port)
            except OSError as exc:
                tally.errors.append(f"connect: {exc!r}")
                await asyncio.sleep(0.05)
                continue
        assert reader is not None
        started = time.perf_counter()
        writer.write(requests[n % len(requests)])
        try:
            status, body, close = await read_response(reader)
        except (asyncio.IncompleteReadError, ConnectionError) as exc:
            tally.errors.append(f"connection: {exc!r}")
            writer.close()
            reader = writer = None
            continue
        tally.latencies.append(time.perf_counter() - started)
        tally.statuses[status] += 1
        if status != 200:
            tally.errors.append(f"HTTP {status}: {body[:200]!r}")
        elif args.expect and n % args.check_every == index % args.check_every:
            problem = check_body(body, args.expect)
            tally.checked += 1
            if problem:
                tally.errors.append(problem)
        if close:
            writer.close()
            reader = writer = None
        n += args.concurrency
    if writer is not None:
        writer.close()


def build_requests(args: argparse.Namespace) -> list[bytes]:
    auth = f"Authorization: Bearer {args.token}\r\n" if args.token else ""
    return [
        (
            f"GET {path} HTTP/1.1\r\nHost: {args.host}:{args.port}\r\n{auth}"
            "Accept: application/json\r\nConnection: keep-alive\r\n\r\n"
        ).encode()
        for path in args.path
    ]


async def run(args: argparse.Namespace) -> dict[str, Any]:
    requests = build_requests(args)
    warm = Tally()
    if args.warmup > 0:
        deadline = time.perf_counter() + args.warmup
        await asyncio.gather(
            *(connection_loop(i, args, requests, deadline, warm) for i in range(args.concurrency))
        )
    tally = Tally()
    started = time.perf_counter()
    deadline = started + args.duration
    await asyncio.gather(
        *(connection_loop(i, args, requests, deadline, tally) for i in range(args.concurrency))
    )
    elapsed = time.perf_counter() - started
    return {**summarise(tally, elapsed), "warmup_requests": len(warm.latencies)}


def summarise(tally: Tally, elapsed: float) -> dict[str, Any]:
    ms = sorted(x * 1000 for x in tally.latencies)
    cuts = statistics.quantiles(ms, n=100, method="inclusive") if len(ms) > 1 else ms * 99

    return {
        "requests": len(ms),
        "seconds": round(elapsed, 3),
        "rps": len(ms) / elapsed if elapsed else 0.0,
        "p50_ms": cuts[49],
        "p90_ms": cuts[89],
        "p99_ms": cuts[98],
        "max_ms": ms[-1] if ms else 0.0,
        "mean_ms": statistics.fmean(ms) if ms else 0.0,
        "statuses": {str(k): v for k, v in sorted(tally.statuses.items())},
        "errors": len(tally.errors),
        "first_errors": tally.errors[:5],
        "bodies_checked": tally.checked,
    }


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", action="append", required=True, help="repeat for several")
    parser.add_argument("--token", default="")
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--check-every", type=int, default=50, help="check 1 body in N")
    parser.add_argument("--check-json", action="append", default=[], metavar="KEY=JSON")
    args = parser.parse_args(argv)
    args.expect = {k: json.loads(v) for k, v in (item.split("=", 1) for item in args.check_json)}
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    print(json.dumps(asyncio.run(run(args))))


if __name__ == "__main__":
    main()
