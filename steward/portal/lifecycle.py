"""How an asset's warranty and operating-system support stand on a day (pure functions)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

SOON = timedelta(days=90)


@dataclass(frozen=True)
class Flag:
    what: str  # "warranty" / "os"
    state: str  # "ended" / "soon" / "ok" / "unknown"
    on: date | None

    @property
    def label(self) -> str:
        noun = "Warranty" if self.what == "warranty" else "OS support"
        if self.on is None:
            return f"{noun}: unknown"
        texts = {"ended": "ended", "soon": "ends", "ok": "until"}
        return f"{noun} {texts[self.state]} {self.on:%Y-%m-%d}"


def flag(what: str, ends_on: date | None, today: date, soon: timedelta = SOON) -> Flag:
    """``ended`` once ``today`` is past the last covered day, ``soon`` within ``soon`` of it."""
    if ends_on is None:
        return Flag(what, "unknown", None)
    if ends_on < today:
        return Flag(what, "ended", ends_on)
    if ends_on - today <= soon:
        return Flag(what, "soon", ends_on)
    return Flag(what, "ok", ends_on)


def asset_flags(warranty_ends_on: date | None, os_eol_on: date | None, today: date) -> list[Flag]:
    return [flag("warranty", warranty_ends_on, today), flag("os", os_eol_on, today)]
