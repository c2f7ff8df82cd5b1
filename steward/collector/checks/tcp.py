"""TCP connect: can the port be reached, and how long does the handshake take."""

from __future__ import annotations

import asyncio
import time

from steward.collector.checks.base import (
    CheckContext,
    CheckOutcome,
    CheckSpec,
    Params,
    Sample,
    State,
    os_error_text,
    register,
)


@register("tcp")
async def run_tcp(check: CheckSpec, ctx: CheckContext) -> CheckOutcome:
    params = Params(check.params)
    host, port = params.text("host"), params.integer("port", low=1, high=65535)
    started = time.perf_counter()
    try:
        _, writer = await asyncio.open_connection(host, port)
    except OSError as exc:
        return CheckOutcome(State.CRITICAL, f"{host}:{port}: {os_error_text(exc)}")
    elapsed = time.perf_counter() - started
    writer.transport.abort()  # no FIN handshake to wait for: we only wanted the connect
    return CheckOutcome(
        State.OK,
        f"{host}:{port} connected in {elapsed:.3f} s",
        samples=[Sample("tcp_connect_seconds", elapsed)],
    )
