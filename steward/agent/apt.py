"""Pending OS updates on Debian and Ubuntu, from `apt-get -s upgrade` (a simulation: no changes,
no root needed).

Each package the upgrade would install is one `Inst` line:

    Inst liblzma5 [5.4.1-1] (5.4.1-1+deb12u2 Debian-Security:12/oldstable-security [amd64])

The parenthesis names the candidate version and the archives it comes from; an update is a
security update when one of those archives is a security archive (`…-security`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

APT_UPGRADE_SIMULATION = ("apt-get", "-s", "-q", "upgrade")
APT_TIMEOUT_S = 120.0

_INST = re.compile(
    r"^Inst (?P<package>\S+)"
    r"(?: \[(?P<current>[^\]]*)\])?"
    r" \((?P<candidate>\S+)(?P<origins>[^)]*)\)"
)


@dataclass(frozen=True)
class PendingUpdate:
    package: str
    current: str | None
    candidate: str
    origins: str

    @property
    def security(self) -> bool:
        return "security" in self.origins.lower()


def parse_apt_simulation(text: str) -> list[PendingUpdate]:
    """The `Inst` lines of an apt-get simulation; every other line is ignored."""
    updates = []
    for line in text.splitlines():
        match = _INST.match(line)
        if match:
            updates.append(
                PendingUpdate(
                    package=match["package"],
                    current=match["current"],
                    candidate=match["candidate"],
                    origins=match["origins"].strip(),
                )
            )
    return updates
