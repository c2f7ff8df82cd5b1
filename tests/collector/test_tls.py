"""The tls check against HTTPS servers with certificates made for the test."""

from __future__ import annotations

from pathlib import Path

import pytest

from steward.collector.checks import State
from steward.collector.checks.tls import tls_state
from tests.collector.peers import check, free_port, http_server, issue, samples_of, server_context


def test_self_signed_certificate_is_critical_but_its_expiry_is_read(tmp_path: Path) -> None:
    issued = issue(tmp_path, "self", ["127.0.0.1"], days=30)
    with http_server(server_context(issued)) as port:
        outcome = check("tls", {"host": "127.0.0.1", "port": port})
    assert outcome.state is State.CRITICAL
    assert "self-signed certificate" in outcome.summary
    values = samples_of(outcome)
    assert values["tls_chain_valid"] == 0
    assert 29.9 < values["tls_cert_days_left"] <= 30


@pytest.mark.parametrize(
    ("days", "state"), [(100, State.OK), (10, State.WARNING), (3, State.CRITICAL)]
)
def test_trusted_chain_is_judged_by_days_left(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, days: int, state: State
) -> None:
    ca = issue(tmp_path, "ca", ["Test CA"], days=365)
    leaf = issue(tmp_path, "leaf", ["127.0.0.1"], days=days, issuer=ca)
    monkeypatch.setenv("SSL_CERT_FILE", str(ca.cert_pem))  # the "system" trust store
    with http_server(server_context(leaf)) as port:
        outcome = check("tls", {"host": "127.0.0.1", "port": port})
    assert outcome.state is state
    assert outcome.summary.startswith("certificate expires in ")
    assert days - 0.01 < samples_of(outcome)["tls_cert_days_left"] <= days
    assert samples_of(outcome)["tls_chain_valid"] == 1


def test_host_name_mismatch_is_critical(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ca = issue(tmp_path, "ca", ["Test CA"], days=365)
    leaf = issue(tmp_path, "leaf", ["portal.example.test"], days=100, issuer=ca)
    monkeypatch.setenv("SSL_CERT_FILE", str(ca.cert_pem))
    with http_server(server_context(leaf)) as port:
        outcome = check("tls", {"host": "127.0.0.1", "port": port})
        named = check(
            "tls", {"host": "127.0.0.1", "port": port, "server_name": "portal.example.test"}
        )
    assert outcome.state is State.CRITICAL
    assert "IP address mismatch" in outcome.summary
    assert samples_of(outcome)["tls_chain_valid"] == 1
    assert samples_of(outcome)["tls_hostname_match"] == 0
    assert named.state is State.OK
    assert samples_of(named)["tls_hostname_match"] == 1


def test_nothing_listening_is_critical() -> None:
    outcome = check("tls", {"host": "127.0.0.1", "port": free_port()})
    assert outcome.state is State.CRITICAL
    assert "Connection refused" in outcome.summary


def test_tls_state_boundaries() -> None:
    assert tls_state(21.0, None, 21, 7)[0] is State.OK
    assert tls_state(20.99, None, 21, 7)[0] is State.WARNING
    assert tls_state(7.0, None, 21, 7)[0] is State.WARNING
    assert tls_state(6.99, None, 21, 7)[0] is State.CRITICAL
    assert tls_state(400, "certificate has expired", 21, 7) == (
        State.CRITICAL,
        "certificate has expired; certificate expires in 400.0 days",
    )
