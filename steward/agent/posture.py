"""Security-posture facts: firewall, disk encryption, automatic updates, last boot, local admins.

Every reader is a pure function of file texts and command results; `collect` is the thin layer
that reads this machine. What cannot be determined is `unsupported`, with the reason.
"""

from __future__ import annotations

import json
import platform
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import psutil

from steward.agent import firewall, machine
from steward.agent.facts import Fact, error, ok, unsupported
from steward.agent.machine import CommandResult, NotRun, Unreadable
from steward.collector.transport import rfc3339

ADMIN_GROUPS = ("sudo", "wheel", "admin")
LSBLK = ("lsblk", "-J")
DPKG_UNATTENDED = ("dpkg-query", "-W", "--showformat=${Status}", "unattended-upgrades")
APT_CONFIG = ("apt-config", "dump")
_APT_SETTING = re.compile(r'^\s*(?P<key>[\w:.-]+)\s+"(?P<value>[^"]*)"\s*;', re.M)
UNATTENDED_KEY = "APT::Periodic::Unattended-Upgrade"


def _failure(tool: str, result: CommandResult) -> str | None:
    """Why a command gave no usable output, or None when it ran fine."""
    if isinstance(result, NotRun):
        return result.reason
    if result.returncode != 0:
        lines = (result.stderr.strip() or result.stdout.strip()).splitlines()
        return f"{tool} exited {result.returncode}: {lines[-1] if lines else 'no message'}"
    return None


# -- disk encryption -------------------------------------------------------------------------


def root_is_encrypted(lsblk_json: str) -> bool | None:
    """Whether the device mounted on / sits on a dm-crypt device (at any depth: LUKS under LVM,
    LVM under LUKS). None when no device lsblk lists is mounted on /. ValueError on bad JSON."""
    try:
        document = json.loads(lsblk_json)
    except json.JSONDecodeError as exc:
        raise ValueError(f"lsblk: not JSON ({exc.msg})") from None
    devices = document.get("blockdevices") if isinstance(document, dict) else None
    if not isinstance(devices, list):
        raise ValueError("lsblk: no 'blockdevices' list")

    def walk(nodes: Iterable[Any], crypt_above: bool) -> bool | None:
        for node in nodes:
            if not isinstance(node, dict):
                continue
            crypt = crypt_above or node.get("type") == "crypt"
            # lsblk 2.37+ lists "mountpoints"; older ones one "mountpoint".
            mounts = node.get("mountpoints") or [node.get("mountpoint")]
            if isinstance(mounts, list) and "/" in mounts:
                return crypt
            children = node.get("children")
            if isinstance(children, list):
                found = walk(children, crypt)
                if found is not None:
                    return found
        return None

    return walk(devices, False)


def disk_encryption_fact(lsblk: CommandResult) -> Fact:
    name = "disk.encryption"
    if isinstance(lsblk, NotRun) and lsblk.missing:
        return unsupported(name, "lsblk is not installed")
    failure = _failure("lsblk", lsblk)
    if failure or isinstance(lsblk, NotRun):
        return error(name, failure or "lsblk did not run")
    try:
        encrypted = root_is_encrypted(lsblk.stdout)
    except ValueError as exc:
        return error(name, str(exc))
    if encrypted is None:
        return unsupported(name, "the root filesystem is not on a block device lsblk lists")
    return ok(name, encrypted, "root on dm-crypt" if encrypted else "no dm-crypt under /")


# -- automatic updates -----------------------------------------------------------------------


def apt_settings(text: str) -> dict[str, str]:
    """`Key "value";` lines of `apt-config dump` (or a flat apt.conf file); later ones win, as
    in apt."""
    return {m["key"]: m["value"] for m in _APT_SETTING.finditer(text)}


def automatic_updates_fact(dpkg_status: CommandResult, apt_config: CommandResult) -> Fact:
    """unattended-upgrades installed, and enabled by APT::Periodic::Unattended-Upgrade."""
    name = "updates.automatic"
    if isinstance(apt_config, NotRun) and apt_config.missing:
        return unsupported(name, "automatic updates are read from apt; apt is not installed")
    if isinstance(dpkg_status, NotRun):
        return error(name, dpkg_status.reason)
    if isinstance(apt_config, NotRun) or apt_config.returncode != 0:
        return error(name, _failure("apt-config", apt_config) or "")
    # dpkg-query exits 1 for a package it has never seen; "config-files" means removed.
    if dpkg_status.returncode != 0 or "installed" not in dpkg_status.stdout.split():
        return ok(name, False, "unattended-upgrades is not installed")
    value = apt_settings(apt_config.stdout).get(UNATTENDED_KEY, "0").strip()
    if not (value.isascii() and value.isdigit()):
        return error(name, f"{UNATTENDED_KEY} is {value!r}, not a number of days")
    if int(value) == 0:
        return ok(name, False, f"unattended-upgrades is installed but {UNATTENDED_KEY} is 0")
    return ok(name, True, f"unattended-upgrades runs every {int(value)} day(s)")


# -- last boot -------------------------------------------------------------------------------


def last_boot_fact(boot_time: float) -> Fact:
    name = "system.last_boot"
    if boot_time <= 0:
        return error(name, f"the boot time read as {boot_time}")
    return ok(name, rfc3339(datetime.fromtimestamp(boot_time, UTC)))


# -- local administrators --------------------------------------------------------------------


def local_admins(group_text: str, passwd_text: str) -> list[str]:
    """Accounts with administrator rights by the local files: members of sudo/wheel/admin (listed
    in /etc/group, or having one as primary group in /etc/passwd) and every uid 0 account."""
    admin_gids: set[str] = set()
    admins: set[str] = set()
    for line in group_text.splitlines():
        fields = line.split(":")
        if len(fields) >= 4 and fields[0] in ADMIN_GROUPS:
            admin_gids.add(fields[2])
            admins.update(member for member in fields[3].split(",") if member.strip())
    for line in passwd_text.splitlines():
        fields = line.split(":")
        if len(fields) >= 4 and fields[0] and (fields[2] == "0" or fields[3] in admin_gids):
            admins.add(fields[0])
    return sorted(member.strip() for member in admins)


def local_admins_fact(group_text: str | Unreadable, passwd_text: str | Unreadable) -> Fact:
    name = "accounts.local_admins"
    if isinstance(group_text, Unreadable):
        return unsupported(name, group_text.reason)
    if isinstance(passwd_text, Unreadable):
        return unsupported(name, passwd_text.reason)
    return ok(name, local_admins(group_text, passwd_text))


# -- this machine ----------------------------------------------------------------------------


def collect() -> list[Fact]:
    """Read this machine's posture: runs nft/ufw/iptables, lsblk, dpkg-query and apt-config."""
    firewall_results = {tool: machine.run(argv) for tool, argv in firewall.COMMANDS.items()}
    if platform.system() == "Darwin":
        # macOS keeps accounts in Directory Services; /etc/group there is not the truth.
        admins = unsupported("accounts.local_admins", "macOS accounts are not in /etc/group")
    else:
        admins = local_admins_fact(
            machine.read_text("/etc/group"), machine.read_text("/etc/passwd")
        )
    return [
        firewall.firewall_fact(firewall_results),
        disk_encryption_fact(machine.run(LSBLK)),
        automatic_updates_fact(machine.run(DPKG_UNATTENDED), machine.run(APT_CONFIG)),
        last_boot_fact(psutil.boot_time()),
        admins,
    ]
