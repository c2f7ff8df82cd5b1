"""SLA clocks: a pure function of a ticket's event log, its SLA terms and ``now`` (rules in
``steward.servicedesk.sla.clock``). No Django here, so replays and benches need no database."""

from steward.servicedesk.sla.clock import compute_sla, next_deadline
from steward.servicedesk.sla.terms import (
    RESOLVED_STATUSES,
    ClockEvent,
    ClockEventKind,
    Deadline,
    SlaState,
    SlaTerms,
)

__all__ = [
    "RESOLVED_STATUSES",
    "ClockEvent",
    "ClockEventKind",
    "Deadline",
    "SlaState",
    "SlaTerms",
    "compute_sla",
    "next_deadline",
]
