"""Is a host firewall filtering inbound traffic? From nftables, ufw and iptables.

"Active" means something filters what arrives for this host: a chain on the input hook with at
least one rule or a drop policy. Forward and NAT rules (container engines add those) are not a
host firewall. Each parser takes a command's output; `firewall_fact` weighs the three.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from steward.agent.facts import Fact, error, ok, unsupported
from steward.agent.machine import CommandResult, NotRun

NAME = "firewall.active"
COMMANDS = {
    "nft": ("nft", "-j", "list", "ruleset"),
    "ufw": ("ufw", "status"),
    "iptables": ("iptables", "-S", "INPUT"),
}
_NEEDS_PRIVILEGES = re.compile(
    r"permission denied|not permitted|must be root|need to be root", re.IGNORECASE
)


def nft_filters_input(text: str) -> bool:
    """Whether an `nft -j list ruleset` document filters input. ValueError if it is not one."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"nft ruleset: not JSON ({exc.msg})") from None
    items = document.get("nftables") if isinstance(document, dict) else None
    if not isinstance(items, list):
        raise ValueError("nft ruleset: no 'nftables' list")
    input_chains: set[str] = set()
    rules: list[Mapping[str, Any]] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        chain, rule = item.get("chain"), item.get("rule")
        if isinstance(chain, dict) and chain.get("hook") == "input":
            if chain.get("policy") == "drop":
                return True
            input_chains.add(_chain_id(chain, "name"))
        if isinstance(rule, dict):
            rules.append(rule)
    return any(_chain_id(rule, "chain") in input_chains for rule in rules)


def _chain_id(item: Mapping[str, Any], name_key: str) -> str:
    """family/table/chain as one comparable text (values may be any JSON in a bad document)."""
    return json.dumps([item.get("family"), item.get("table"), item.get(name_key)])


def ufw_active(text: str) -> bool | None:
    """`ufw status` -> True/False, or None when the text does not say."""
    match = re.search(r"^Status:\s*(\w+)", text, re.M)
    if match is None:
        return None
    return match[1].lower() == "active"


def iptables_filters_input(text: str) -> bool:
    """`iptables -S INPUT`: a DROP/REJECT policy or any appended rule."""
    for line in text.splitlines():
        words = line.split()
        if words[:2] == ["-P", "INPUT"] and words[2:3] in (["DROP"], ["REJECT"]):
            return True
        if words[:2] == ["-A", "INPUT"]:
            return True
    return False


@dataclass(frozen=True)
class CannotTell:
    reason: str
    privileges: bool = False


def _verdict(tool: str, result: CommandResult) -> bool | CannotTell:
    """True/False from one tool, or why it could not tell."""
    if isinstance(result, NotRun):
        return CannotTell(result.reason)
    if result.returncode != 0:
        message = (result.stderr.strip() or result.stdout.strip()).splitlines()
        last = message[-1] if message else f"exit {result.returncode}"
        if _NEEDS_PRIVILEGES.search(result.stderr + result.stdout):
            return CannotTell(f"{tool} needs more privileges ({last})", privileges=True)
        return CannotTell(f"{tool} failed: {last}")
    try:
        if tool == "nft":
            return nft_filters_input(result.stdout)
        if tool == "ufw":
            active = ufw_active(result.stdout)
            return CannotTell("ufw status did not say") if active is None else active
        return iptables_filters_input(result.stdout)
    except ValueError as exc:
        return CannotTell(str(exc))


def firewall_fact(results: Mapping[str, CommandResult]) -> Fact:
    """Active when any tool shows input filtering; inactive only when every installed tool was
    read and none does; otherwise unsupported (privileges) or error, naming each tool's reason."""
    installed = {
        tool: _verdict(tool, result)
        for tool, result in results.items()
        if not (isinstance(result, NotRun) and result.missing)
    }
    if not installed:
        return unsupported(NAME, f"none of {', '.join(results)} is installed")
    active = [tool for tool, verdict in installed.items() if verdict is True]
    if active:
        return ok(NAME, True, f"input filtered by {', '.join(active)}")
    unknown = [verdict for verdict in installed.values() if isinstance(verdict, CannotTell)]
    if not unknown:
        return ok(NAME, False, f"no input filtering in {', '.join(installed)}")
    reasons = "; ".join(verdict.reason for verdict in unknown)
    if all(verdict.privileges for verdict in unknown):
        return unsupported(NAME, reasons)
    return error(NAME, reasons)
