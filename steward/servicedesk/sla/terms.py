"""The inputs and the output of the SLA clock engine (see ``clock.py`` for the rules).

Plain frozen dataclasses and no Django: the engine is replayed from stored event logs after a
policy or calendar correction, and benchmarked on imported tickets without a database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from steward.core.businesstime import CompiledCalendar, compile_calendar
from steward.core.calendarspec import CalendarSpec

__all__ = [
    "RESOLVED_STATUSES",
    "ClockEvent",
    "ClockEventKind",
    "Deadline",
    "SlaState",
    "SlaTerms",
]

# Statuses that stop every clock: time spent in them counts neither as elapsed nor as paused.
RESOLVED_STATUSES = frozenset({"resolved", "closed"})


class ClockEventKind(StrEnum):
    """What happened to a ticket, as far as its SLA clocks care."""

    CREATED = "created"  # first event; ``status`` = the initial status ("new" when None)
    STATUS = "status"  # status change; ``status`` = the new status
    RESPONSE = "response"  # a public reply by MSP staff (the first one is the response)
    PLAN = "plan"  # resolution plan given (the first one counts)


@dataclass(frozen=True, slots=True)
class ClockEvent:
    """One entry of a ticket's event log; ``at`` must be an aware datetime."""

    at: datetime
    kind: ClockEventKind
    status: str | None = None


def _positive(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{name}: must be a positive whole number of seconds, not {value!r}")


@dataclass(frozen=True, slots=True)
class SlaTerms:
    """The SLA targets of a ticket's current priority, in business seconds of ``calendar``."""

    response_seconds: int
    resolution_seconds: int
    plan_seconds: int | None
    warning_percent: int
    pause_statuses: frozenset[str]
    calendar: CalendarSpec | CompiledCalendar
    # Compiled once here so that each compute_sla call skips hashing the spec for the cache.
    compiled: CompiledCalendar = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _positive("response_seconds", self.response_seconds)
        _positive("resolution_seconds", self.resolution_seconds)
        if self.plan_seconds is not None:
            _positive("plan_seconds", self.plan_seconds)
        percent = self.warning_percent
        if isinstance(percent, bool) or not isinstance(percent, int) or not 1 <= percent <= 99:
            raise ValueError(f"warning_percent: must be a whole number 1..99, not {percent!r}")
        overlap = RESOLVED_STATUSES & set(self.pause_statuses)
        if overlap:
            raise ValueError(f"pause_statuses: {sorted(overlap)} are resolved statuses")
        object.__setattr__(self, "pause_statuses", frozenset(self.pause_statuses))
        if isinstance(self.calendar, CompiledCalendar):
            compiled = self.calendar
        elif isinstance(self.calendar, CalendarSpec):
            compiled = compile_calendar(self.calendar)
        else:
            kind = type(self.calendar).__name__
            raise ValueError(f"calendar: expected a CalendarSpec or CompiledCalendar, not {kind}")
        object.__setattr__(self, "compiled", compiled)

    def warning_seconds(self, target: int) -> int:
        """Elapsed business seconds at which a clock with ``target`` enters its warning."""
        return -(-target * self.warning_percent // 100)  # exact ceil, no float rounding


@dataclass(frozen=True, slots=True)
class Deadline:
    """A warning or breach of one clock (rule 8 of ``clock.py``): ``kind`` such as
    ``response_warning`` or ``resolution_breach``; ``at`` the instant the clock reached it (the
    due, for a breach); ``known_at`` the first instant the state shows it (``at`` for a
    warning; for a breach one business second after the due, when ``met`` turns False)."""

    kind: str
    at: datetime
    known_at: datetime

    @property
    def clock(self) -> str:
        return self.kind.rsplit("_", 1)[0]

    @property
    def is_breach(self) -> bool:
        return self.kind.endswith("_breach")


@dataclass(frozen=True, slots=True)
class SlaState:
    """Where a ticket's SLA clocks stand at ``now``. All instants are in UTC."""

    response_due_at: datetime | None
    plan_due_at: datetime | None
    resolution_due_at: datetime | None
    responded_at: datetime | None
    planned_at: datetime | None
    resolved_at: datetime | None
    response_met: bool | None
    plan_met: bool | None
    resolution_met: bool | None
    business_seconds_to_response: int | None
    business_seconds_to_resolution: int | None
    paused_business_seconds: int
    paused: bool
    paused_since: datetime | None
    warning_at: datetime | None
    deadlines: tuple[Deadline, ...]
