"""The tcp check against a listening port and a closed one."""

from __future__ import annotations

from steward.collector.checks import State
from tests.collector.peers import check, free_port, samples_of


def test_open_port_is_ok_with_connect_time(http_port: int) -> None:
    outcome = check("tcp", {"host": "127.0.0.1", "port": http_port})
    assert outcome.state is State.OK
    assert 0 < samples_of(outcome)["tcp_connect_seconds"] < 1


def test_closed_port_is_critical() -> None:
    port = free_port()
    outcome = check("tcp", {"host": "127.0.0.1", "port": port})
    assert outcome.state is State.CRITICAL
    assert outcome.summary.startswith(f"127.0.0.1:{port}: ")
    assert "refused" in outcome.summary.lower()
    assert outcome.samples == []


def test_port_out_of_range_is_named() -> None:
    outcome = check("tcp", {"host": "127.0.0.1", "port": 70000})
    assert outcome.state is State.UNKNOWN
    assert outcome.summary == "params.port: must be between 1 and 65535, got 70000"
