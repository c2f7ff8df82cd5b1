"""Check runners, one module per type, registered by type name in `base.RUNNERS`.

`run_check` is the one way a check runs: it applies the timeout and turns bad params and
unexpected errors into an `unknown` outcome instead of an exception."""

from __future__ import annotations

import asyncio
import logging
import time

from steward.collector.checks import dns, http, ping, plugin, scrape, snmp, tcp, tls
from steward.collector.checks.base import (
    RUNNERS,
    CheckContext,
    CheckOutcome,
    CheckSpec,
    ParamError,
    Sample,
    State,
)

__all__ = [
    "RUNNERS",
    "CheckContext",
    "CheckOutcome",
    "CheckSpec",
    "Sample",
    "State",
    "dns",
    "http",
    "ping",
    "plugin",
    "run_check",
    "scrape",
    "snmp",
    "tcp",
    "tls",
]

log = logging.getLogger("steward.collector.checks")


async def run_check(check: CheckSpec, ctx: CheckContext) -> CheckOutcome:
    """Run one check to an outcome; never raises (except when cancelled from outside)."""
    started = time.perf_counter()
    runner = RUNNERS.get(check.type)
    if runner is None:
        outcome = CheckOutcome(State.UNKNOWN, f"type: unknown check type {check.type!r}")
    else:
        try:
            async with asyncio.timeout(check.timeout_s):
                outcome = await runner(check, ctx)
        except TimeoutError:
            outcome = CheckOutcome(State.CRITICAL, f"timed out after {check.timeout_s:g} s")
        except ParamError as exc:
            outcome = CheckOutcome(State.UNKNOWN, str(exc))
        except Exception as exc:  # a runner's bug must not stop the collector
            log.exception("check %s (%s) failed", check.id, check.type)
            outcome = CheckOutcome(State.UNKNOWN, f"check failed: {type(exc).__name__}: {exc}")
    outcome.duration_ms = (time.perf_counter() - started) * 1000
    return outcome
