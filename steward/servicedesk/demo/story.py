"""One demo ticket's life, written forwards in time as the verbs would have recorded it.

A ``Story`` moves a cursor by business seconds of the ticket's SLA calendar while its clock
runs and by the client's office hours while it waits on someone, appending the events the verbs
append (CREATED, ASSIGNED, STATUS with reasons, public REPLY, internal NOTE, TIME, SURVEY,
MERGED). Events after ``now`` are not kept, so recent tickets are still open. ``finish`` then
sets the ticket's columns from its events, the SLA columns with ``clock_events`` and
``compute_sla`` like ``services.sla.refresh_sla``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from random import Random
from typing import Any, cast

from steward.agreements.models import Agreement, ServiceCategory, SlaPolicy
from steward.core.businesstime import CompiledCalendar, add
from steward.servicedesk.choices import DONE_STATUSES, EventKind, Status, TicketKind, WorkType
from steward.servicedesk.demo.texts import FIXES, NOTES, VENDOR_REASONS, WAIT_REASONS
from steward.servicedesk.importing.bulk import PendingEvent
from steward.servicedesk.models import Queue, Survey, Ticket, TicketEvent, TimeEntry
from steward.servicedesk.services.sla import TermsCache, clock_events, settled, state_columns
from steward.servicedesk.sla import SlaTerms, compute_sla
from steward.tenancy.models import Client, User

MINUTE, HOUR = 60, 3600
COMMENT_CHANCE, ANSWER_CHANCE, SURVEY_CHANCE = 0.4, 0.45, 0.8
GOOD_RATINGS, BAD_RATINGS = (1, 1, 4, 22, 72), (12, 20, 30, 25, 13)
COMMENTS = {
    1: ("Nobody got back to me for days.", "Still not fixed properly."),
    2: ("Took far too long.", "Had to chase twice."),
    3: ("Fixed in the end.", "OK, but slow to respond."),
    4: ("Quick and friendly.", "Good job, thanks."),
    5: ("Brilliant, thank you!", "Fixed within minutes, great service.", "Very patient, thanks."),
}


@dataclass
class Desk:
    """What seeding one client needs, loaded once per client."""

    client: Client
    rng: Random
    now: datetime
    agreement: Agreement | None
    policy: SlaPolicy | None
    office: CompiledCalendar | None
    technicians: list[User]
    contacts: dict[int, str]  # id -> first name
    categories: list[ServiceCategory]
    queues: dict[str, Queue]
    quality: float  # above 1: this client's tickets take longer (its scorecard goes red)
    terms: TermsCache = field(default_factory=TermsCache)

    def sla(self, priority: str) -> SlaTerms | None:
        return None if self.policy is None else self.terms.terms(self.policy, priority)


@dataclass
class Built:
    """A ticket on its way into the database, with what hangs off it."""

    ticket: Ticket
    events: list[PendingEvent]
    entries: list[tuple[TimeEntry, PendingEvent]] = field(default_factory=list)
    survey: Survey | None = None


def draw(rng: Random, median: float, spread: float) -> float:
    """A share of an SLA target, log-normal around ``median``: above 1 is a breach."""
    return rng.lognormvariate(math.log(median), spread)


class Story:
    """A ticket's timeline written forwards (see the module docstring)."""

    def __init__(self, desk: Desk, ticket: Ticket) -> None:
        self.desk, self.ticket = desk, ticket
        terms = desk.sla(ticket.priority)
        self.calendar = terms.compiled if terms is not None else desk.office
        self.at, self.elapsed, self.status = ticket.created_at, 0, str(Status.NEW)
        self.events: list[PendingEvent] = []
        self.resolved_at: datetime | None = None
        self.stopped = False

    def _move_on(self, calendar: CompiledCalendar | None, seconds: int) -> None:
        if calendar is None:
            self.at += timedelta(seconds=seconds)
        else:
            self.at = add(calendar, self.at, seconds).astimezone(UTC)

    def run(self, seconds: float) -> None:
        """Work time: business seconds of the SLA calendar (the clock runs)."""
        seconds = max(int(seconds), 1)
        self.elapsed += seconds
        self._move_on(self.calendar, seconds)

    def run_until(self, elapsed: float, least: int = 5 * MINUTE) -> None:
        self.run(max(elapsed - self.elapsed, least))

    def wait(self, seconds: int) -> None:
        """The other side's time (the client's office hours): the clock is paused or stopped."""
        self._move_on(self.desk.office, seconds)

    def add(self, kind: str, *, by: User | None = None, contact: int | None = None,
            at: datetime | None = None, **fields: Any) -> PendingEvent | None:  # fmt: skip
        """Append an event at the cursor (or ``at``); from the first one after now, nothing."""
        at = at or self.at
        if self.stopped or at > self.desk.now:
            self.stopped = True
            return None
        event = PendingEvent(
            client_id=self.ticket.client_id, at=at, kind=kind, actor_id=by.pk if by else None,
            actor_contact_id=contact, ticket=self.ticket, **fields,
        )  # fmt: skip
        self.events.append(event)
        return event

    def move(self, status: str, *, by: User | None = None, contact: int | None = None,
             reason: str = "") -> None:  # fmt: skip
        data = {"reopen": True} if self.status in DONE_STATUSES else {}
        kept = self.add(EventKind.STATUS, by=by, contact=contact, from_value=self.status,
                        to_value=status, body=reason, data=data)  # fmt: skip
        if kept is not None:
            self.status = status
            if status == Status.RESOLVED and self.resolved_at is None:
                self.resolved_at = self.at

    def reply(self, body: str, *, by: User | None = None, contact: int | None = None,
              public: bool = True) -> None:  # fmt: skip
        kind = EventKind.REPLY if public else EventKind.NOTE
        self.add(kind, by=by, contact=contact, body=body, public=public)


# --- The life of a ticket -----------------------------------------------------------------------


def work(desk: Desk, ticket: Ticket) -> Built:
    """Create, assign, answer, maybe wait on the client or a vendor, resolve, maybe reopen,
    close; then the time logged and the survey."""
    rng, terms = desk.rng, desk.sla(ticket.priority)
    story, contact = Story(desk, ticket), ticket.requester_id
    story.add(EventKind.CREATED, contact=contact, to_value=Status.NEW, body=ticket.description,
              public=True, data={"source": ticket.source, "priority": ticket.priority})  # fmt: skip
    tech = rng.choice(desk.technicians)
    respond = terms.response_seconds if terms else 4 * HOUR
    story.run(max(MINUTE, rng.uniform(0.05, 0.25) * respond))  # dispatch
    if story.add(EventKind.ASSIGNED, to_value=tech.get_username()) is not None:
        ticket.assignee = tech
    story.move(Status.ASSIGNED)
    story.run_until(draw(rng, 0.35, 0.6) * desk.quality * respond, least=MINUTE)
    hello = f"Hi {desk.contacts[contact]}, " if contact in desk.contacts else ""
    if rng.random() < 0.35:  # fixed in the first answer
        story.reply(f"{hello}this is fixed now: I {rng.choice(FIXES)}.", by=tech)
        story.move(Status.RESOLVED, by=tech, reason="Fixed during the first contact")
    else:
        story.reply(f"{hello}thanks for reporting this, I am looking into it now.", by=tech)
        story.move(Status.IN_PROGRESS, by=tech)
        _investigate(story, tech, terms.resolution_seconds if terms else 24 * HOUR)
    if story.status == Status.RESOLVED:
        _maybe_reopen(story, tech)
    if story.status == Status.RESOLVED:
        story.at += timedelta(days=3)
        story.move(Status.CLOSED, reason="Closed automatically 3 days after resolution")
    finish(desk, ticket, story.events)
    return Built(ticket, story.events, _time_entries(story, tech), _survey(story, tech))


def _investigate(story: Story, tech: User, resolve: int) -> None:
    rng, contact = story.desk.rng, story.ticket.requester_id
    if rng.random() < 0.5:
        story.run(rng.randint(5, 90) * MINUTE)
        story.reply(rng.choice(NOTES), by=tech, public=False)
    if contact is not None and rng.random() < 0.25:
        story.run(rng.randint(5, 60) * MINUTE)
        story.reply("Could you tell me a bit more? I have written what I need below.", by=tech)
        story.move(Status.WAITING_ON_CLIENT, by=tech, reason=rng.choice(WAIT_REASONS))
        story.wait(rng.randint(20 * MINUTE, 12 * HOUR))
        story.reply("Done, and it still happens.", contact=contact)
        story.move(Status.IN_PROGRESS, contact=contact, reason="client replied")
    elif story.ticket.priority in ("P2", "P3") and rng.random() < 0.06:
        story.run(rng.randint(10, 120) * MINUTE)
        story.move(Status.WAITING_ON_VENDOR, by=tech, reason=rng.choice(VENDOR_REASONS))
        story.wait(rng.randint(4 * HOUR, 24 * HOUR))
        story.move(Status.IN_PROGRESS, by=tech, reason="The vendor answered")
    story.run_until(draw(rng, 0.4, 0.7) * story.desk.quality * resolve)
    story.reply(f"Resolved: I {rng.choice(FIXES)}.", by=tech)
    story.move(Status.RESOLVED, by=tech, reason=rng.choice(FIXES).capitalize())


def _maybe_reopen(story: Story, tech: User) -> None:
    rng, contact = story.desk.rng, story.ticket.requester_id
    if contact is None or rng.random() >= 0.05:
        return
    story.wait(rng.randint(30 * MINUTE, 16 * HOUR))
    story.reply("Sorry, the problem is back.", contact=contact)
    story.move(Status.IN_PROGRESS, contact=contact, reason="client replied")
    story.run(rng.randint(30 * MINUTE, 4 * HOUR))
    story.reply(f"Fixed for good this time: I {rng.choice(FIXES)}.", by=tech)
    story.move(Status.RESOLVED, by=tech, reason="Fixed after the reopen")


def finish(desk: Desk, ticket: Ticket, events: list[PendingEvent]) -> None:
    """Status, reopens, closing and the SLA columns, as the verbs would have left them."""
    for event in events:
        if event.kind != EventKind.STATUS:
            continue
        if event.from_value in DONE_STATUSES and event.to_value not in DONE_STATUSES:
            ticket.reopen_count += 1
        ticket.closed_at = event.at if event.to_value == Status.CLOSED else None
        ticket.status = event.to_value
    ticket.updated_at = max(e.at for e in events)
    terms = desk.sla(ticket.priority)
    state = None
    if terms is not None:
        # Duck-typed: clock_events reads kind, at, to_value, public and by_staff.
        timeline = cast(list[TicketEvent], sorted(events, key=lambda e: e.at))
        state = compute_sla(clock_events(timeline), terms, desk.now)
    policy = desk.policy if state else None
    for name, value in state_columns(state, policy, settled(state, desk.now)).items():
        setattr(ticket, name, value)


def _time_entries(story: Story, tech: User) -> list[tuple[TimeEntry, PendingEvent]]:
    """One to three entries, each ending at one of the technician's replies or notes."""
    rng, ticket = story.desk.rng, story.ticket
    worked = [e for e in story.events if e.actor_id == tech.pk and e.kind != EventKind.STATUS]
    entries = []
    for event in rng.sample(worked, min(len(worked), rng.randint(1, 3))):
        seconds = rng.choice((5, 10, 15, 20, 30, 45, 60, 90)) * MINUTE
        entry = TimeEntry(
            client_id=ticket.client_id, ticket=ticket, technician=tech, created_at=event.at,
            started_at=max(event.at - timedelta(seconds=seconds), ticket.created_at),
            duration_seconds=seconds,
            work_type=WorkType.ONSITE if rng.random() < 0.05 else WorkType.REMOTE,
            billable=ticket.kind != TicketKind.INCIDENT or rng.random() < 0.3,
        )  # fmt: skip
        logged = PendingEvent(
            client_id=ticket.client_id, at=event.at, kind=EventKind.TIME, actor_id=tech.pk,
            ticket=ticket, to_value=str(seconds // MINUTE),
            data={"action": "logged", "technician": tech.get_username(), "seconds": seconds,
                  "billable": entry.billable, "work_type": entry.work_type},
        )  # fmt: skip
        entries.append((entry, logged))
    return entries


def _survey(story: Story, tech: User) -> Survey | None:
    """Sent to the requester at the first resolution; some answer, kindly when the SLA held
    and the ticket stayed fixed."""
    ticket, rng, sent = story.ticket, story.desk.rng, story.resolved_at
    if sent is None or ticket.requester_id is None or rng.random() >= SURVEY_CHANCE:
        return None
    survey = Survey(client_id=ticket.client_id, ticket=ticket, contact_id=ticket.requester_id,
                    technician=tech, sent_at=sent)  # fmt: skip
    story.stopped = False  # the survey is its own thread: the close may lie after now, not it
    story.add(EventKind.SURVEY, at=sent, to_value="sent", data={"action": "sent"})
    answered = sent + timedelta(minutes=rng.randint(5, 4 * 24 * 60))
    if rng.random() < ANSWER_CHANCE and answered <= story.desk.now:
        unhappy = ticket.breached or ticket.reopen_count > 0
        survey.rating = rng.choices(range(1, 6), BAD_RATINGS if unhappy else GOOD_RATINGS)[0]
        survey.answered_at = answered
        if rng.random() < COMMENT_CHANCE:
            survey.comment = rng.choice(COMMENTS[survey.rating])
        story.add(EventKind.SURVEY, at=answered, contact=ticket.requester_id,
                  to_value=str(survey.rating), body=survey.comment,
                  data={"action": "answered", "rating": survey.rating})  # fmt: skip
    return survey


def merge(desk: Desk, duplicate: Ticket, into: Ticket, by: User) -> Built:
    """An alert that fired again while its first ticket was open, merged into it (and closed)
    a few minutes later, like ``services.merge``; not merged when that is after now."""
    story = Story(desk, duplicate)
    story.add(EventKind.CREATED, to_value=Status.NEW, body=duplicate.description, public=True,
              data={"source": duplicate.source, "priority": duplicate.priority})  # fmt: skip
    story.run(desk.rng.randint(3, 15) * MINUTE)
    if story.at <= desk.now and story.at >= into.created_at:
        duplicate.merged_into = into
        story.add(EventKind.MERGED, by=by, to_value=f"#{into.pk}")
        story.move(Status.RESOLVED, by=by, reason=f"merged into #{into.pk}")
        story.move(Status.CLOSED, by=by, reason=f"merged into #{into.pk}")
    finish(desk, duplicate, story.events)
    return Built(duplicate, story.events)
