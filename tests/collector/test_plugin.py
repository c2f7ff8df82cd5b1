"""Nagios-compatible plugins: Debian's monitoring-plugins and small commands."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest

from steward.collector.checks import Sample, State
from steward.collector.checks.plugin import outcome_from, read_capped
from tests.collector.peers import check, free_port

PLUGINS = Path("/usr/lib/nagios/plugins")


def plugin(name: str) -> str:
    path = PLUGINS / name
    if not path.exists():
        pytest.skip(f"{path} is not installed (Debian package monitoring-plugins-basic)")
    return str(path)


def test_check_tcp_ok_with_perfdata(http_port: int) -> None:
    outcome = check(
        "plugin", {"command": [plugin("check_tcp"), "-H", "127.0.0.1", "-p", str(http_port)]}
    )
    assert outcome.state is State.OK
    assert outcome.summary.startswith("TCP OK")
    time_sample = next(s for s in outcome.samples if s.metric == "plugin_time")
    assert time_sample.labels == {"unit": "s"}
    assert 0 <= time_sample.value < 1


def test_check_tcp_on_a_closed_port_is_critical() -> None:
    port = free_port()
    outcome = check(
        "plugin", {"command": [plugin("check_tcp"), "-H", "127.0.0.1", "-p", str(port)]}
    )
    assert outcome.state is State.CRITICAL
    assert "Connection refused" in outcome.summary


def test_check_http_reads_size_and_time(http_port: int) -> None:
    argv = [
        plugin("check_http"),
        "-H",
        "127.0.0.1",
        "-p",
        str(http_port),
        "-u",
        "/ok",
        "-s",
        "Welcome",
    ]
    outcome = check("plugin", {"command": argv})
    assert outcome.state is State.OK, outcome.summary
    metrics = {s.metric: s for s in outcome.samples}
    assert metrics["plugin_size"].labels == {"unit": "B"}
    assert metrics["plugin_size"].value > 0
    assert metrics["plugin_time"].labels == {"unit": "s"}


@pytest.mark.parametrize(
    ("code", "state"),
    [("0", State.OK), ("1", State.WARNING), ("2", State.CRITICAL), ("3", State.UNKNOWN)],
)
def test_check_dummy_exit_codes(code: str, state: State) -> None:
    outcome = check("plugin", {"command": [plugin("check_dummy"), code, "said so"]})
    assert outcome.state is state
    assert outcome.summary.endswith("said so")


def test_timeout_kills_the_plugin(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    command = ["/bin/sh", "-c", f"echo $$ > {pid_file}; exec sleep 30"]
    started = time.monotonic()
    outcome = check("plugin", {"command": command}, timeout_s=0.5)
    assert time.monotonic() - started < 2
    assert outcome.state is State.CRITICAL
    assert outcome.summary == "timed out after 0.5 s"
    with pytest.raises(ProcessLookupError):
        os.kill(int(pid_file.read_text()), 0)


def test_missing_command_and_bad_params() -> None:
    missing = check("plugin", {"command": ["/nonexistent/check_x"]})
    assert missing.state is State.UNKNOWN
    assert missing.summary == "command '/nonexistent/check_x': No such file or directory"
    assert check("plugin", {"command": "check_x -H a"}).summary == (
        "params.command: must be a list, got str"
    )
    assert check("plugin", {"command": []}).summary == "params.command: must not be empty"


def test_outcome_from_output_the_nagios_way() -> None:
    stdout = (
        "DISK WARNING - free space: / 3326 MB (56%) | /=2643MB;5948;5958;0;5968\n"
        "/ 15272 MB (77%);\n"
        "/boot 68 MB (69%);\n"
        "| /boot=68MB;88;93;0;98\n"
        "/home=69357MB;253404;253409;0;253414\n"
    )
    outcome = outcome_from(1, stdout, "")
    assert outcome.state is State.WARNING
    assert outcome.summary == "DISK WARNING - free space: / 3326 MB (56%)"
    assert outcome.samples == [
        Sample("plugin__", 2643, {"unit": "MB"}),
        Sample("plugin__boot", 68, {"unit": "MB"}),
        Sample("plugin__home", 69357, {"unit": "MB"}),
    ]
    odd = outcome_from(127, "", "sh: 1: nope: not found\n")
    assert odd.state is State.UNKNOWN
    assert odd.summary == "exit code 127: sh: 1: nope: not found"
    bad = outcome_from(0, "OK | time=fast", "")
    assert bad.summary == "OK [perfdata: perfdata 'time': value 'fast' is not a number or U]"


def test_large_output_does_not_block_the_plugin() -> None:
    command = ["/bin/sh", "-c", "echo 'OK | a=1'; head -c 1000000 /dev/zero | tr '\\0' x"]
    outcome = check("plugin", {"command": command})
    assert outcome.state is State.OK
    assert outcome.summary == "OK"
    assert [s.metric for s in outcome.samples] == ["plugin_a", "plugin_run_seconds"]


@pytest.mark.anyio
async def test_read_capped_keeps_the_head_and_reads_to_the_end() -> None:
    stream = asyncio.StreamReader()
    stream.feed_data(b"a" * 100_000)
    stream.feed_data(b"b" * 100_000)
    stream.feed_eof()
    assert await read_capped(stream, 150_000) == b"a" * 100_000 + b"b" * 50_000
    assert stream.at_eof()
