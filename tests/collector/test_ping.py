"""The ping check. Whether this machine allows unprivileged ICMP is read from the kernel; the
test expects replies where it does and an `unknown` saying why where it does not."""

from __future__ import annotations

import os
from pathlib import Path

from steward.collector.checks import State
from steward.collector.checks.ping import NOT_PERMITTED, loss_state
from tests.collector.peers import check, samples_of


def unprivileged_icmp_allowed() -> bool:
    low, high = map(int, Path("/proc/sys/net/ipv4/ping_group_range").read_text().split())
    return any(low <= group <= high for group in [*os.getgroups(), os.getgid()])


def test_ping_loopback_or_say_why_not() -> None:
    outcome = check("ping", {"host": "127.0.0.1", "count": 2})
    if unprivileged_icmp_allowed():
        assert outcome.state is State.OK
        values = samples_of(outcome)
        assert values["ping_loss_ratio"] == 0
        assert 0 < values["ping_rtt_seconds"] < 0.1
    else:
        assert outcome.state is State.UNKNOWN
        assert outcome.summary == NOT_PERMITTED


def test_loss_state_boundaries() -> None:
    assert loss_state(0.0, 0.2, 1.0) is State.OK
    assert loss_state(0.19, 0.2, 1.0) is State.OK
    assert loss_state(0.2, 0.2, 1.0) is State.WARNING
    assert loss_state(0.99, 0.2, 1.0) is State.WARNING
    assert loss_state(1.0, 0.2, 1.0) is State.CRITICAL
