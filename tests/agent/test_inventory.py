from __future__ import annotations

import socket

import psutil
import pytest

from steward.agent import inventory
from steward.agent.facts import FactStatus
from steward.agent.identity import Identity
from steward.agent.inventory import (
    addresses,
    assemble,
    dmi_fact,
    os_name_and_version,
    pending_update_facts,
)
from steward.agent.machine import NotRun, Ran, Unreadable
from steward.agent.metrics import loopback_interfaces
from tests.agent.conftest import sample

IDENTITY = Identity(key="3d1219c7c4c5404aaa1f6d2a48adfda4", hostname="web-01")


def facts_by_name(facts: list[inventory.Fact]) -> dict[str, inventory.Fact]:
    return {fact.name: fact for fact in facts}


def test_assembled_from_captured_debian_outputs() -> None:
    read = assemble(
        IDENTITY,
        os_release=sample("os-release.debian12"),
        dmi={
            "vendor": "Dell Inc.\n",
            "model": "PowerEdge R350\n",
            "serial": Unreadable("/sys/class/dmi/id/product_serial is not readable"),
        },
        address_list=["10.0.0.5"],
        apt_result=Ran(0, sample("apt-get-s-upgrade.debian12.txt")),
        kernel="6.1.0-18-amd64",
        cpu_count=8,
        memory_total=34_359_738_368,
    )
    assert read.asset == {
        "key": IDENTITY.key,
        "hostname": "web-01",
        "addresses": ["10.0.0.5"],
        "os": "Debian GNU/Linux",
        "os_version": "12",
        "vendor": "Dell Inc.",
        "model": "PowerEdge R350",
        "serial": None,
    }
    facts = facts_by_name(read.facts)
    assert facts["os.pending_updates"].value == 129
    assert facts["os.pending_security_updates"].value == 78
    assert facts["hardware.serial"].status is FactStatus.UNSUPPORTED
    assert "not readable" in facts["hardware.serial"].detail
    assert facts["os.kernel"].value == "6.1.0-18-amd64"
    assert facts["hardware.cpu_count"].value == 8


@pytest.mark.parametrize("text", ["To Be Filled By O.E.M.\n", "Default string", "  \n"])
def test_dmi_placeholders_are_unsupported_not_values(text: str) -> None:
    fact = dmi_fact("serial", text)
    assert fact.status is FactStatus.UNSUPPORTED
    assert fact.value is None


def test_no_dmi_directory_is_unsupported() -> None:
    fact = dmi_fact("vendor", Unreadable("/sys/class/dmi/id/sys_vendor does not exist", True))
    assert fact.status is FactStatus.UNSUPPORTED
    assert "no DMI data" in fact.detail


def test_pending_updates_without_apt_are_unsupported() -> None:
    facts = pending_update_facts(NotRun("apt-get is not installed", missing=True))
    assert [f.status for f in facts] == [FactStatus.UNSUPPORTED] * 2
    assert all("apt-get is not installed" in f.detail for f in facts)


def test_pending_updates_when_apt_fails_or_hangs_are_errors() -> None:
    failed = pending_update_facts(Ran(100, "", "E: Could not open lock file\nE: Unable to lock"))
    assert [f.status for f in failed] == [FactStatus.ERROR] * 2
    assert "exited 100: E: Unable to lock" in failed[0].detail
    slow = pending_update_facts(NotRun("apt-get -s -q upgrade took over 120 s"))
    assert slow[0].status is FactStatus.ERROR
    assert "took over" in slow[0].detail


def test_addresses_skip_loopback_link_local_and_macs() -> None:
    found = addresses(
        {
            "lo": ["127.0.0.1", "::1"],
            "eth0": ["10.0.0.5", "fe80::1%eth0", "2001:db8::5", "52:54:00:12:34:56"],
            "eth1": ["10.0.0.5", "192.0.2.7"],
        },
        loopbacks={"lo"},
    )
    assert found == ["10.0.0.5", "2001:db8::5", "192.0.2.7"]


def test_os_without_os_release_falls_back_to_the_platform() -> None:
    name, _version = os_name_and_version(Unreadable("no os-release file", missing=True))
    assert name


# -- this machine ----------------------------------------------------------------------------


def test_addresses_on_this_machine() -> None:
    raw = {
        nic: [a.address for a in entries if a.family in (socket.AF_INET, socket.AF_INET6)]
        for nic, entries in psutil.net_if_addrs().items()
    }
    found = addresses(raw, loopback_interfaces())
    assert "127.0.0.1" not in found
    assert "::1" not in found
