"""Facts: what the agent knows, or knows it cannot tell, about its machine.

A fact is `ok` with a value, `unsupported` (the platform or the agent's privileges cannot tell;
`detail` says why) or `error` (a reader failed unexpectedly; `detail` says how). Nothing is ever
guessed: a reader that cannot decide says `unsupported`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from steward.collector.transport import rfc3339


class FactStatus(StrEnum):
    OK = "ok"
    UNSUPPORTED = "unsupported"
    ERROR = "error"


@dataclass(frozen=True)
class Fact:
    name: str
    status: FactStatus
    value: Any = None
    detail: str = ""

    def to_wire(self, asset: str, at: datetime) -> dict[str, Any]:
        """The fact as one item of a batch's `facts` section."""
        item: dict[str, Any] = {
            "asset": asset,
            "name": self.name,
            "value": self.value,
            "status": self.status.value,
            "at": rfc3339(at),
        }
        if self.detail:
            item["detail"] = self.detail
        return item


def ok(name: str, value: Any, detail: str = "") -> Fact:
    return Fact(name, FactStatus.OK, value, detail)


def unsupported(name: str, why: str) -> Fact:
    return Fact(name, FactStatus.UNSUPPORTED, None, why)


def error(name: str, why: str) -> Fact:
    return Fact(name, FactStatus.ERROR, None, why)
