"""The registry of report sections: how an area adds a part to the monthly service report.

    @section(key="tickets", title="Tickets", order=100, template="reporting/sections/tickets.html")
    def tickets(ctx: ReportContext) -> SectionData: ...

A section is a function of the client and the period's range in the client's time zone
(``ReportContext``); it returns the data its template shows, the key figures for the summary
page and the rows behind them for the CSV. Later areas (security, billing, improvement,
alignment) plug in by registering one more section; the builder and the renderers do not change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from steward.obligations.periods import Period
from steward.tenancy.models import Client


@dataclass(frozen=True)
class ReportContext:
    """What every section is computed for: the client and the half-open range [start, end) of
    the period, local midnight to local midnight in ``zone`` (the client's time zone)."""

    client: Client
    period: Period
    start: datetime
    end: datetime
    zone: ZoneInfo
    now: datetime

    @property
    def closed(self) -> bool:
        return self.now >= self.end


@dataclass
class SectionData:
    """A section's answer: ``data`` for its template, ``summary`` (label, value) pairs for the
    cover, ``rows`` (flat dicts) for the CSV, ``charts`` (name -> inline SVG)."""

    data: dict[str, Any] = field(default_factory=dict)
    summary: list[tuple[str, str]] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    charts: dict[str, str] = field(default_factory=dict)
    note: str = ""


SectionFn = Callable[[ReportContext], SectionData]


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    order: int
    template: str
    fn: SectionFn


@dataclass
class BuiltSection:
    """A section as computed for one report."""

    key: str
    title: str
    template: str
    result: SectionData


_sections: dict[str, Section] = {}


def section(*, key: str, title: str, order: int, template: str) -> Callable[[SectionFn], SectionFn]:
    """Register ``fn`` as the section ``key``; a second registration under a key replaces the
    first only if it is the same function (re-import), otherwise it is an error."""

    def register(fn: SectionFn) -> SectionFn:
        existing = _sections.get(key)
        if existing is not None and existing.fn.__qualname__ != fn.__qualname__:
            raise ValueError(f"report section {key!r} is registered twice")
        _sections[key] = Section(key, title, order, template, fn)
        return fn

    return register


def sections() -> list[Section]:
    return sorted(_sections.values(), key=lambda s: (s.order, s.key))
