from __future__ import annotations

import contextlib
import json

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from steward.agent.facts import FactStatus
from steward.agent.firewall import (
    firewall_fact,
    iptables_filters_input,
    nft_filters_input,
    ufw_active,
)
from steward.agent.machine import NotRun, Ran
from tests.agent.conftest import sample

MISSING = {
    "nft": NotRun("nft is not installed", missing=True),
    "ufw": NotRun("ufw is not installed", missing=True),
    "iptables": NotRun("iptables is not installed", missing=True),
}
UFW_ACTIVE = """Status: active

To                         Action      From
--                         ------      ----
22/tcp                     ALLOW       Anywhere
22/tcp (v6)                ALLOW       Anywhere (v6)
"""


@pytest.mark.parametrize(
    ("name", "filters"),
    [
        ("nft-empty.json", False),
        ("nft-debian-default.json", False),  # Debian's nftables.conf: chains, no rules
        ("nft-docker-only.json", False),  # NAT and forward rules do not guard the host
        ("nft-input-drop.json", True),
        ("nft-input-rules-accept-policy.json", True),
    ],
)
def test_nft_rulesets(name: str, filters: bool) -> None:
    assert nft_filters_input(sample(name)) is filters


def test_ufw_and_iptables_texts() -> None:
    assert ufw_active(UFW_ACTIVE) is True
    assert ufw_active("Status: inactive\n") is False
    assert ufw_active("something else") is None
    assert iptables_filters_input("-P INPUT ACCEPT\n") is False
    assert iptables_filters_input("-P INPUT DROP\n") is True
    assert iptables_filters_input("-P INPUT ACCEPT\n-A INPUT -p tcp --dport 23 -j DROP\n") is True


def test_nothing_installed_is_unsupported() -> None:
    fact = firewall_fact(MISSING)
    assert fact.status is FactStatus.UNSUPPORTED
    assert "none of nft, ufw, iptables is installed" in fact.detail


def test_any_tool_showing_input_filtering_makes_it_active() -> None:
    fact = firewall_fact(
        {**MISSING, "nft": Ran(0, sample("nft-debian-default.json")), "ufw": Ran(0, UFW_ACTIVE)}
    )
    assert (fact.status, fact.value) == (FactStatus.OK, True)
    assert "ufw" in fact.detail


def test_inactive_only_when_every_installed_tool_was_read() -> None:
    fact = firewall_fact({**MISSING, "nft": Ran(0, sample("nft-debian-default.json"))})
    assert (fact.status, fact.value) == (FactStatus.OK, False)


def test_without_privileges_it_is_unsupported_with_the_reason() -> None:
    fact = firewall_fact(
        {
            "nft": Ran(1, "", "Error: cache initialization failed: Operation not permitted\n"),
            "ufw": Ran(1, "", "ERROR: You need to be root to run this script\n"),
            "iptables": Ran(
                4,
                "",
                "iptables v1.8.9 (nf_tables): Could not fetch rule set generation id: "
                "Permission denied (you must be root)\n",
            ),
        }
    )
    assert fact.status is FactStatus.UNSUPPORTED
    assert fact.value is None
    assert "nft needs more privileges" in fact.detail
    assert "ufw needs more privileges" in fact.detail


def test_one_unreadable_tool_and_one_inactive_cannot_say_inactive() -> None:
    fact = firewall_fact(
        {
            **MISSING,
            "nft": Ran(1, "", "Error: cache initialization failed: Operation not permitted\n"),
            "iptables": Ran(0, "-P INPUT ACCEPT\n"),
        }
    )
    assert fact.status is FactStatus.UNSUPPORTED


def test_a_broken_tool_is_an_error() -> None:
    fact = firewall_fact({**MISSING, "nft": Ran(0, "not json")})
    assert fact.status is FactStatus.ERROR
    assert "not JSON" in fact.detail


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(["chain", "rule", "hook", "policy", "family"]), children)
    ),
    max_leaves=20,
)


@given(
    st.text()
    | json_values.map(lambda v: json.dumps({"nftables": v}))
    | st.lists(json_values).map(lambda items: json.dumps({"nftables": items}))
)
@example('{"nftables": [{"chain": {"hook": "input", "family": [1]}}]}')
def test_nft_parser_fails_only_with_a_value_error(text: str) -> None:
    with contextlib.suppress(ValueError):
        assert nft_filters_input(text) in (True, False)


@given(st.text())
def test_ufw_and_iptables_parsers_take_any_text(text: str) -> None:
    assert ufw_active(text) in (True, False, None)
    assert iptables_filters_input(text) in (True, False)
