"""The snmp check against Debian's snmpd on a free loopback port (v2c and a v3 user)."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from steward.collector.checks import CheckContext, CheckOutcome, CheckSpec, State, run_check
from steward.collector.checks.snmp import counter_rate
from tests.collector.peers import check, daemon, free_port

SYS_DESCR, SYS_UPTIME = "1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1.3.0"
V3 = {
    "version": "3",
    "user": "steward",
    "auth_key": "authpass123",
    "auth_protocol": "SHA",
    "priv_key": "privpass123",
    "priv_protocol": "AES",
}


@pytest.fixture(scope="module")
def snmpd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    binary = shutil.which("snmpd") or (
        "/usr/sbin/snmpd" if Path("/usr/sbin/snmpd").exists() else None
    )
    if binary is None:
        pytest.skip("snmpd is not installed (Debian package snmpd)")
    directory = tmp_path_factory.mktemp("snmpd")
    port = free_port(socket.SOCK_DGRAM)
    config = directory / "snmpd.conf"
    config.write_text(
        "rocommunity public 127.0.0.1\n"
        'createUser steward SHA "authpass123" AES "privpass123"\n'
        "rouser steward priv\n"
        "sysDescr Steward test agent\n"
    )
    env = {**os.environ, "SNMP_PERSISTENT_DIR": str(directory), "MIBS": ""}
    argv = [binary, "-f", "-Lo", "-C", "-c", str(config), f"udp:127.0.0.1:{port}"]
    with daemon(argv, env) as process:
        wait_for_snmp(port, process)
        yield port


def wait_for_snmp(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 10
    params = {"host": "127.0.0.1", "port": port, "community": "public", "get": [SYS_DESCR]}
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read()  # type: ignore[union-attr]
        if check("snmp", params, timeout_s=0.6).state is State.OK:
            return
    raise RuntimeError("snmpd did not answer")


def test_v2c_get_reads_text_and_numbers(snmpd: int) -> None:
    outcome = check(
        "snmp",
        {"host": "127.0.0.1", "port": snmpd, "community": "public", "get": [SYS_DESCR, SYS_UPTIME]},
    )
    assert outcome.state is State.OK, outcome.summary
    assert f"{SYS_DESCR} = Steward test agent" in outcome.summary
    uptime = [s for s in outcome.samples if s.labels == {"oid": SYS_UPTIME}]
    assert uptime[0].metric == "snmp_value"
    assert uptime[0].value > 0


def test_v3_walk_with_auth_and_privacy(snmpd: int) -> None:
    outcome = check("snmp", {"host": "127.0.0.1", "port": snmpd, **V3, "walk": ["1.3.6.1.2.1.1"]})
    assert outcome.state is State.OK, outcome.summary
    assert int(outcome.summary.split()[0]) >= 5
    assert f"{SYS_DESCR} = Steward test agent" in outcome.summary


def test_wrong_community_and_wrong_key_fail(snmpd: int) -> None:
    wrong = check(
        "snmp",
        {"host": "127.0.0.1", "port": snmpd, "community": "nope", "get": [SYS_DESCR]},
        timeout_s=1,
    )
    assert wrong.state is State.CRITICAL
    bad_key = check(
        "snmp",
        {"host": "127.0.0.1", "port": snmpd, **V3, "auth_key": "wrongpass1", "get": [SYS_DESCR]},
        timeout_s=1,
    )
    assert bad_key.state is State.CRITICAL


def test_missing_object_is_a_warning(snmpd: int) -> None:
    outcome = check(
        "snmp",
        {
            "host": "127.0.0.1",
            "port": snmpd,
            "community": "public",
            "get": [SYS_DESCR, "1.3.6.1.2.1.1.99.0"],
        },
    )
    assert outcome.state is State.WARNING
    assert "no such object: 1.3.6.1.2.1.1.99.0" in outcome.summary


def test_interface_counters_become_rates_on_the_second_reading(snmpd: int) -> None:
    spec = CheckSpec(
        7,
        "snmp",
        60,
        3,
        {"host": "127.0.0.1", "port": snmpd, "community": "public", "interfaces": True},
    )

    async def twice() -> tuple[CheckOutcome, CheckOutcome]:
        ctx = CheckContext()
        first = await run_check(spec, ctx)
        await asyncio.sleep(0.2)  # the walks themselves are traffic on lo
        second = await run_check(spec, ctx)
        await ctx.aclose()
        return first, second

    first, second = asyncio.run(twice())
    assert first.state is State.OK, first.summary
    assert "interfaces" in first.summary
    assert "lo" in first.summary
    assert first.samples == []  # no previous reading yet
    rates: dict[tuple[str, str], Any] = {
        (s.metric, s.labels["ifname"]): s.value for s in second.samples
    }
    assert ("if_in_octets_per_second", "lo") in rates
    assert ("if_out_errors_per_second", "lo") in rates
    assert all(value >= 0 for value in rates.values())


def test_counter_rate_wraps_32_bit_and_treats_64_bit_decrease_as_reset() -> None:
    assert counter_rate(100, 400, 10.0, 32) == 30.0
    assert counter_rate(2**32 - 100, 200, 10.0, 32) == 30.0
    assert counter_rate(2**64 - 100, 200, 10.0, 64) is None
    assert counter_rate(5, 5, 0.0, 64) is None
    assert counter_rate(5, 5, 1.0, 64) == 0.0
