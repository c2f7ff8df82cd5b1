"""Nagios-compatible plugins: run a command (an argv list, never a shell), read its exit code as
the state and its output as the summary and performance data."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import time

from steward.collector.checks.base import (
    CheckContext,
    CheckOutcome,
    CheckSpec,
    ParamError,
    Params,
    Sample,
    State,
    os_error_text,
    register,
)
from steward.collector.perfdata import PerfValue, parse_perfdata, split_plugin_output

EXIT_STATES = {0: State.OK, 1: State.WARNING, 2: State.CRITICAL, 3: State.UNKNOWN}
MAX_SUMMARY = 1_000
MAX_OUTPUT = 64 * 1024  # per stream; Nagios itself reads at most 8 KiB of plugin output


def metric_name(label: str) -> str:
    """`plugin_<label>` with what a metric name cannot hold turned into underscores."""
    return "plugin_" + re.sub(r"[^a-zA-Z0-9_]", "_", label)


def perf_samples(values: list[PerfValue]) -> list[Sample]:
    return [
        Sample(metric_name(v.label), v.value, {"unit": v.unit} if v.unit else {})
        for v in values
        if v.value is not None
    ]


def outcome_from(exit_code: int, stdout: str, stderr: str) -> CheckOutcome:
    """The outcome of a finished plugin run (pure: tested without processes)."""
    output = split_plugin_output(stdout)
    state = EXIT_STATES.get(exit_code, State.UNKNOWN)
    summary = output.summary or stderr.strip().split("\n")[0] or "(no output)"
    if exit_code not in EXIT_STATES:
        summary = f"exit code {exit_code}: {summary}"
    perfdata = parse_perfdata(output.perfdata)
    if perfdata.errors:
        summary += f" [perfdata: {'; '.join(perfdata.errors[:3])}]"
    return CheckOutcome(state, summary[:MAX_SUMMARY], samples=perf_samples(perfdata.values))


async def read_capped(stream: asyncio.StreamReader | None, limit: int = MAX_OUTPUT) -> bytes:
    """The first `limit` bytes of a stream, read to its end so that a chatty plugin is never
    blocked on a full pipe (and memory stays bounded)."""
    kept = bytearray()
    while stream is not None and (chunk := await stream.read(65_536)):
        kept += chunk[: max(0, limit - len(kept))]
    return bytes(kept)


@register("plugin")
async def run_plugin(check: CheckSpec, ctx: CheckContext) -> CheckOutcome:
    argv = Params(check.params).items("command", str)
    if not argv:
        raise ParamError("command", "must not be empty")
    started = time.perf_counter()
    try:
        process = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            start_new_session=True,  # its own process group: a timeout kills its children too
        )
    except OSError as exc:
        return CheckOutcome(State.UNKNOWN, f"command {argv[0]!r}: {os_error_text(exc)}")
    try:
        stdout, stderr = await asyncio.gather(
            read_capped(process.stdout), read_capped(process.stderr)
        )
        await process.wait()
    except asyncio.CancelledError:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        await process.wait()
        raise
    outcome = outcome_from(
        process.returncode if process.returncode is not None else -1,
        stdout.decode(errors="replace"),
        stderr.decode(errors="replace"),
    )
    outcome.samples.append(Sample("plugin_run_seconds", time.perf_counter() - started))
    return outcome
