from __future__ import annotations

import contextlib
import json
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from steward.agent import posture
from steward.agent.facts import FactStatus
from steward.agent.machine import NotRun, Ran, Unreadable
from steward.agent.posture import (
    apt_settings,
    automatic_updates_fact,
    disk_encryption_fact,
    last_boot_fact,
    local_admins,
    local_admins_fact,
    root_is_encrypted,
)
from tests.agent.conftest import sample

DPKG_INSTALLED = Ran(0, "install ok installed")
DPKG_UNKNOWN = Ran(1, "", "dpkg-query: no packages found matching unattended-upgrades\n")
APT_CONFIG_ON = Ran(0, sample("apt-config-dump.debian12.txt") + sample("20auto-upgrades.enabled"))


# -- disk encryption -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "encrypted"),
    [("lsblk.vm.json", False), ("lsblk.luks-lvm.json", True), ("lsblk.old-mountpoint.json", False)],
)
def test_root_encryption_from_lsblk(name: str, encrypted: bool) -> None:
    assert root_is_encrypted(sample(name)) is encrypted
    fact = disk_encryption_fact(Ran(0, sample(name)))
    assert (fact.status, fact.value) == (FactStatus.OK, encrypted)


def test_root_not_on_a_listed_device_is_unsupported() -> None:
    overlay_root = '{"blockdevices": [{"name": "sda", "type": "disk", "mountpoints": ["/data"]}]}'
    fact = disk_encryption_fact(Ran(0, overlay_root))
    assert fact.status is FactStatus.UNSUPPORTED
    assert "root filesystem" in fact.detail


def test_no_lsblk_is_unsupported_and_a_failing_one_an_error() -> None:
    missing = disk_encryption_fact(NotRun("lsblk is not installed", missing=True))
    assert missing.status is FactStatus.UNSUPPORTED
    failing = disk_encryption_fact(Ran(1, "", "lsblk: failed to access sysfs directory\n"))
    assert failing.status is FactStatus.ERROR
    assert "sysfs" in failing.detail


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=4) | st.just("/"),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["blockdevices", "children", "type", "mountpoints", "mountpoint"]),
            children,
        )
    ),
    max_leaves=25,
)


@given(st.text() | json_values.map(json.dumps))
def test_lsblk_parser_fails_only_with_a_value_error(text: str) -> None:
    with contextlib.suppress(ValueError):
        assert root_is_encrypted(text) in (True, False, None)


# -- automatic updates -----------------------------------------------------------------------


def test_unattended_upgrades_installed_and_enabled() -> None:
    fact = automatic_updates_fact(DPKG_INSTALLED, APT_CONFIG_ON)
    assert (fact.status, fact.value) == (FactStatus.OK, True)


def test_unattended_upgrades_not_installed_as_on_the_captured_machine() -> None:
    fact = automatic_updates_fact(DPKG_UNKNOWN, Ran(0, sample("apt-config-dump.debian12.txt")))
    assert (fact.status, fact.value) == (FactStatus.OK, False)
    assert "not installed" in fact.detail
    removed = automatic_updates_fact(Ran(0, "deinstall ok config-files"), APT_CONFIG_ON)
    assert removed.value is False


def test_installed_but_switched_off() -> None:
    config = Ran(
        0, 'APT::Periodic::Unattended-Upgrade "1";\nAPT::Periodic::Unattended-Upgrade "0";'
    )
    fact = automatic_updates_fact(DPKG_INSTALLED, config)
    assert (fact.status, fact.value) == (FactStatus.OK, False)
    missing_key = automatic_updates_fact(
        DPKG_INSTALLED, Ran(0, sample("apt-config-dump.debian12.txt"))
    )
    assert missing_key.value is False


def test_without_apt_it_is_unsupported() -> None:
    fact = automatic_updates_fact(
        NotRun("dpkg-query is not installed", missing=True),
        NotRun("apt-config is not installed", missing=True),
    )
    assert fact.status is FactStatus.UNSUPPORTED


def test_a_setting_that_is_not_a_number_is_an_error() -> None:
    fact = automatic_updates_fact(DPKG_INSTALLED, Ran(0, 'APT::Periodic::Unattended-Upgrade "x";'))
    assert fact.status is FactStatus.ERROR
    assert "APT::Periodic::Unattended-Upgrade" in fact.detail


def test_apt_settings_of_the_captured_dump() -> None:
    settings = apt_settings(sample("apt-config-dump.debian12.txt"))
    assert settings["APT::Architecture"] == "amd64"
    assert settings["APT::Install-Recommends"] == "1"


@given(st.text())
def test_apt_settings_take_any_text(text: str) -> None:
    assert isinstance(apt_settings(text), dict)


@given(
    st.dictionaries(
        st.from_regex(r"[A-Za-z][\w:.-]{0,20}", fullmatch=True),
        st.text(
            alphabet=st.characters(min_codepoint=32, max_codepoint=126, blacklist_characters='"'),
            max_size=20,
        ),
    )
)
def test_apt_settings_round_trip(settings: dict[str, str]) -> None:
    text = "".join(f'{key} "{value}";\n' for key, value in settings.items())
    assert apt_settings(text) == settings


# -- last boot -------------------------------------------------------------------------------


def test_last_boot_is_an_rfc3339_time() -> None:
    fact = last_boot_fact(1795951566.0)
    assert fact.value == "2026-11-29T11:26:06Z"
    assert datetime.fromisoformat(fact.value) == datetime.fromtimestamp(1795951566.0, UTC)
    assert last_boot_fact(0.0).status is FactStatus.ERROR


# -- local administrators --------------------------------------------------------------------


def test_local_admins_of_the_captured_machine() -> None:
    assert local_admins(sample("group.debian12"), sample("passwd.debian12")) == ["root"]


def test_local_admins_from_groups_primary_groups_and_uid_0() -> None:
    group = "root:x:0:\nsudo:x:27:alice,bob\nwheel:x:10:carol\nadm:x:4:syslog,dave\nadmin:x:115:\n"
    passwd = (
        "root:x:0:0:root:/root:/bin/bash\n"
        "toor:x:0:0::/root:/bin/sh\n"
        "erin:x:1005:115::/home/erin:/bin/bash\n"
        "dave:x:1004:1004::/home/dave:/bin/bash\n"
    )
    assert local_admins(group, passwd) == ["alice", "bob", "carol", "erin", "root", "toor"]


def test_unreadable_account_files_are_unsupported() -> None:
    fact = local_admins_fact(Unreadable("/etc/group does not exist", missing=True), "")
    assert fact.status is FactStatus.UNSUPPORTED
    assert "/etc/group" in fact.detail


@given(st.text(), st.text())
def test_account_parsers_take_any_text(group: str, passwd: str) -> None:
    assert all(isinstance(name, str) for name in local_admins(group, passwd))


# -- this machine ----------------------------------------------------------------------------


def test_posture_of_this_machine() -> None:
    facts = posture.collect()
    assert [fact.name for fact in facts] == [
        "firewall.active",
        "disk.encryption",
        "updates.automatic",
        "system.last_boot",
        "accounts.local_admins",
    ]
    for fact in facts:
        assert fact.status in set(FactStatus)
        if fact.status is FactStatus.OK:
            assert fact.value is not None
        else:
            assert fact.value is None
            assert fact.detail
    by_name = {fact.name: fact for fact in facts}
    assert by_name["system.last_boot"].status is FactStatus.OK
    if by_name["accounts.local_admins"].status is FactStatus.OK:
        assert "root" in by_name["accounts.local_admins"].value
