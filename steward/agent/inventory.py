"""Inventory: the asset record (hostname, addresses, OS, hardware) and inventory facts (kernel,
CPU count, memory, pending OS updates).

`assemble` and the small readers are pure: they take file texts and command results, so tests
feed captured outputs. `collect` is the thin part that reads this machine.
"""

from __future__ import annotations

import ipaddress
import platform
import socket
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import psutil

from steward.agent import machine
from steward.agent.apt import APT_TIMEOUT_S, APT_UPGRADE_SIMULATION, parse_apt_simulation
from steward.agent.facts import Fact, error, ok, unsupported
from steward.agent.identity import Identity
from steward.agent.machine import CommandResult, NotRun, Unreadable
from steward.agent.metrics import loopback_interfaces
from steward.agent.osrelease import OS_RELEASE_PATHS, parse_os_release

DMI_DIR = "/sys/class/dmi/id"
DMI_FIELDS = {"vendor": "sys_vendor", "model": "product_name", "serial": "product_serial"}
# What firmware writes when the vendor left a field empty: not a value to report.
DMI_PLACEHOLDERS = frozenset(
    {
        "",
        "none",
        "n/a",
        "not specified",
        "not applicable",
        "default string",
        "to be filled by o.e.m.",
        "system serial number",
        "system product name",
        "system manufacturer",
        "0",
        "00000000",
        "0123456789",
    }
)


@dataclass(frozen=True)
class Inventory:
    asset: dict[str, Any]
    facts: list[Fact]


def dmi_fact(field: str, text: str | Unreadable) -> Fact:
    """One DMI field (vendor, model, serial) as a fact."""
    name = f"hardware.{field}"
    if isinstance(text, Unreadable):
        if text.missing:
            return unsupported(name, f"no DMI data on this platform ({text.reason})")
        return unsupported(name, text.reason)
    value = text.strip()
    if value.lower() in DMI_PLACEHOLDERS:
        return unsupported(name, f"the firmware reports a placeholder ({value!r})")
    return ok(name, value)


def pending_update_facts(result: CommandResult) -> list[Fact]:
    """`os.pending_updates` and `os.pending_security_updates` from an apt-get simulation."""
    names = ("os.pending_updates", "os.pending_security_updates")
    if isinstance(result, NotRun):
        if result.missing:
            why = "pending updates are read through apt; apt-get is not installed"
            return [unsupported(name, why) for name in names]
        return [error(name, result.reason) for name in names]
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["no message"])[-1]
        why = f"apt-get -s upgrade exited {result.returncode}: {last}"
        return [error(name, why) for name in names]
    updates = parse_apt_simulation(result.stdout)
    return [ok(names[0], len(updates)), ok(names[1], sum(u.security for u in updates))]


def addresses(
    interface_addresses: Mapping[str, Iterable[str]], loopbacks: Iterable[str]
) -> list[str]:
    """IP addresses worth listing: no loopback interfaces or addresses, no IPv6 link-local."""
    skip = set(loopbacks)
    found: list[str] = []
    for nic, texts in sorted(interface_addresses.items()):
        if nic in skip:
            continue
        for text in texts:
            try:
                address = ipaddress.ip_address(text.split("%", 1)[0])
            except ValueError:
                continue  # a MAC (AF_PACKET/AF_LINK) address
            if address.is_loopback or address.is_link_local or str(address) in found:
                continue
            found.append(str(address))
    return found


def os_name_and_version(os_release: str | Unreadable) -> tuple[str, str]:
    """(name, version) from os-release where there is one, else what Python knows."""
    if not isinstance(os_release, Unreadable):
        info = parse_os_release(os_release)
        if "NAME" in info:
            return info["NAME"], info.get("VERSION_ID", info.get("VERSION", ""))
    system = platform.system()
    if system == "Darwin":
        return "macOS", platform.mac_ver()[0]
    if system == "Windows":
        return "Windows", platform.version()
    return system, ""


def assemble(
    identity: Identity,
    os_release: str | Unreadable,
    dmi: Mapping[str, str | Unreadable],
    address_list: list[str],
    apt_result: CommandResult,
    kernel: str,
    cpu_count: int | None,
    memory_total: int,
) -> Inventory:
    """The asset record and the inventory facts from what was read."""
    os_name, os_version = os_name_and_version(os_release)
    hardware = [dmi_fact(field, dmi.get(field, Unreadable("not read"))) for field in DMI_FIELDS]
    asset = {
        "key": identity.key,
        "hostname": identity.hostname,
        "addresses": address_list,
        "os": os_name,
        "os_version": os_version,
    }
    for field, fact in zip(DMI_FIELDS, hardware, strict=True):
        asset[field] = fact.value
    facts = [
        ok("os.kernel", kernel),
        ok("hardware.cpu_count", cpu_count)
        if cpu_count
        else unsupported("hardware.cpu_count", "the platform does not say"),
        ok("hardware.memory_total_bytes", memory_total),
        *hardware,
        *pending_update_facts(apt_result),
    ]
    return Inventory(asset, facts)


def read_os_release() -> str | Unreadable:
    last: Unreadable = Unreadable("no os-release file", missing=True)
    for path in OS_RELEASE_PATHS:
        text = machine.read_text(path)
        if not isinstance(text, Unreadable):
            return text
        last = text
    return last


def collect(identity: Identity) -> Inventory:
    """Read this machine's inventory (runs `apt-get -s upgrade` where apt exists)."""
    interface_addresses = {
        nic: [a.address for a in entries if a.family in (socket.AF_INET, socket.AF_INET6)]
        for nic, entries in psutil.net_if_addrs().items()
    }
    return assemble(
        identity,
        os_release=read_os_release(),
        dmi={field: machine.read_text(f"{DMI_DIR}/{name}") for field, name in DMI_FIELDS.items()},
        address_list=addresses(interface_addresses, loopback_interfaces()),
        apt_result=machine.run(APT_UPGRADE_SIMULATION, timeout=APT_TIMEOUT_S),
        kernel=platform.release(),
        cpu_count=psutil.cpu_count(logical=True),
        memory_total=psutil.virtual_memory().total,
    )
