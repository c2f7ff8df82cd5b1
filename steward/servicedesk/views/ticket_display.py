"""How the ticket pages word things: SLA clocks (due, met, breached, paused) and timeline
events. Pure functions of a ticket or event and ``now``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from steward.servicedesk.choices import EventKind, LinkKind, Status
from steward.servicedesk.models import Ticket, TicketEvent


def span(seconds: float) -> str:
    """A duration people read at a glance: "2 d 3 h", "3 h 5 min", "12 min"."""
    minutes = max(int(seconds) // 60, 0)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min" if minutes else "under a minute"


@dataclass(frozen=True)
class Clock:
    """One SLA target of a ticket as the page shows it."""

    name: str
    due: datetime | None
    done_at: datetime | None
    met: bool | None
    business_seconds: int | None
    state: str  # met / breached / paused / overdue / warning / running / stopped
    label: str

    @property
    def taken(self) -> str:
        """Business time from opening to the answer, in words."""
        return "" if self.business_seconds is None else span(self.business_seconds)


def _clock(ticket: Ticket, name: str, due: Any, done: Any, met: Any, spent: Any, now: Any) -> Clock:
    if met is not None:
        state, label = ("met", "met") if met else ("breached", "breached")
    elif due is None or not ticket.is_open:
        state, label = "stopped", "not running"
    elif ticket.sla_paused:
        state, label = "paused", "paused"
    elif due <= now:
        state, label = "overdue", f"overdue by {span((now - due).total_seconds())}"
    elif ticket.sla_warning_at is not None and ticket.sla_warning_at <= now:
        state, label = "warning", f"due in {span((due - now).total_seconds())}"
    else:
        state, label = "running", f"due in {span((due - now).total_seconds())}"
    return Clock(name, due, done, met, spent, state, label)


def sla_clocks(ticket: Ticket, now: datetime) -> list[Clock]:
    if ticket.sla_policy_id is None:
        return []
    t = ticket
    clocks = [
        _clock(t, "Response", t.response_due_at, t.responded_at, t.response_met,
               t.business_seconds_to_response, now),
        _clock(t, "Resolution", t.resolution_due_at, t.resolved_at, t.resolution_met,
               t.business_seconds_to_resolution, now),
    ]  # fmt: skip
    if t.plan_due_at is not None or t.planned_at is not None:
        clocks.insert(1, _clock(t, "Resolution plan", t.plan_due_at, t.planned_at, t.plan_met,
                                None, now))  # fmt: skip
    return clocks


def sla_badge(ticket: Ticket, now: datetime) -> Clock | None:
    """The one clock a list row shows: a breach, else the running one, else resolution."""
    clocks = sla_clocks(ticket, now)
    for state in ("breached", "overdue", "paused", "warning", "running"):
        for clock in clocks:
            if clock.state == state:
                return clock
    return clocks[-1] if clocks else None


def _label(choices: Any, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def describe(event: TicketEvent) -> str:
    """What happened, in words, after the author's name."""
    kind, old, new = event.kind, event.from_value, event.to_value
    if kind == EventKind.STATUS:
        return f"changed the status from {_label(Status, old)} to {_label(Status, new)}"
    if kind == EventKind.ASSIGNED:
        return f"assigned the ticket to {new}" if new else f"took the ticket back from {old}"
    if kind in (EventKind.PRIORITY, EventKind.CATEGORY, EventKind.QUEUE):
        what = EventKind(kind).label.split()[0].lower()
        return f"changed the {what} from {old or 'none'} to {new or 'none'}"
    if kind == EventKind.WATCHER:
        return f"added watcher {new}" if new else f"removed watcher {old}"
    if kind == EventKind.LINK:
        return f"linked: {_label(LinkKind, event.data.get('kind', ''))} {new}"
    if kind == EventKind.MERGED:
        return f"merged {old} into this ticket" if old else f"merged this ticket into {new}"
    texts = {
        EventKind.CREATED: "opened the ticket",
        EventKind.REPLY: "replied",
        EventKind.NOTE: "wrote an internal note",
        EventKind.PLAN: "gave the resolution plan",
        EventKind.ATTACHMENT: f"attached {new}",
    }
    return texts.get(kind, f"{_label(EventKind, kind)} {new}".strip())  # type: ignore[call-overload]
