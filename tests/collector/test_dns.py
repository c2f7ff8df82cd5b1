"""The dns check against a stub DNS server on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from steward.collector.checks import State
from tests.collector.peers import check, dns_server, free_port, samples_of


@pytest.fixture(scope="module")
def dns_port() -> Iterator[int]:
    with dns_server() as port:
        yield port


def ask(port: int, **params: Any) -> Any:
    return check("dns", {"server": "127.0.0.1", "port": port, **params})


def test_records_equal_to_the_expected_ones(dns_port: int) -> None:
    outcome = ask(dns_port, name="www.example.test", expect=["192.0.2.11", "192.0.2.10"])
    assert outcome.state is State.OK
    assert outcome.summary.startswith("www.example.test A = 192.0.2.10, 192.0.2.11 in ")
    values = samples_of(outcome)
    assert values["dns_records"] == 2
    assert 0 < values["dns_lookup_seconds"] < 1


def test_other_record_types(dns_port: int) -> None:
    assert (
        ask(dns_port, name="example.test", rdtype="mx", expect=["10 mail.example.test."]).state
        is State.OK
    )
    txt = ask(dns_port, name="example.test", rdtype="TXT")
    assert txt.state is State.OK
    assert '"v=spf1 -all"' in txt.summary


def test_different_records_are_critical(dns_port: int) -> None:
    outcome = ask(dns_port, name="www.example.test", expect=["192.0.2.99"])
    assert outcome.state is State.CRITICAL
    assert outcome.summary.endswith("expected 192.0.2.99")


def test_missing_name_and_missing_type_are_critical(dns_port: int) -> None:
    assert ask(dns_port, name="nope.example.test").summary == "nope.example.test: no such domain"
    assert ask(dns_port, name="www.example.test", rdtype="AAAA").summary == (
        "www.example.test: no AAAA records"
    )


def test_silent_resolver_times_out() -> None:
    outcome = check(
        "dns", {"server": "127.0.0.1", "port": free_port(), "name": "x.test"}, timeout_s=0.5
    )
    assert outcome.state is State.CRITICAL


def test_unknown_record_type_is_named() -> None:
    outcome = check("dns", {"name": "x.test", "rdtype": "BOGUS"})
    assert outcome.state is State.UNKNOWN
    assert outcome.summary == "params.rdtype: unknown record type 'BOGUS'"
