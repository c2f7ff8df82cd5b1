"""SLA escalation: announce each warning and breach once, when its instant comes.

Every ticket stores the earliest warning or breach of its clocks not announced yet in an
indexed column (``next_deadline_at``, its kind; ``sla.next_deadline``). ``process_deadlines``
runs every minute (``tasks.announce_sla_deadlines``):

1. Read up to ``limit`` tickets whose deadline is due (``next_deadline_at <= now``).
2. Claim each by compare-and-set: one UPDATE clears ``next_deadline_*`` only if the row still
   holds the deadline that was read. Two workers reading the same row both try; the database
   lets one UPDATE match, so exactly one announces (on PostgreSQL the second UPDATE waits for
   the first transaction and then finds the row changed).
3. In the claiming transaction, compute the clocks at ``now`` and announce every deadline they
   have reached whose kind is not in ``sla_announced``, oldest first. A deadline that an action
   moved into the past (a priority raised two hours into a ticket, a reply one second after the
   due) is just another unannounced deadline: nothing is replayed and nothing swept.
4. Each becomes an ``SLA_WARNING`` or ``SLA_BREACH`` timeline event at the instant the clock
   reached it (``data.clock`` names the clock); a breach also an ``ESCALATED`` event and, after
   commit, a mail to the client's service managers and the assignee (``notify_breach``). A
   breach announced with its warning unannounced supersedes it.
5. The kinds join ``sla_announced`` and the SLA columns are refreshed, so ``next_deadline_at``
   moves to the following deadline.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction

from steward.servicedesk import services
from steward.servicedesk.choices import EventKind
from steward.servicedesk.models import Ticket
from steward.servicedesk.routing import staff_seeing_client
from steward.servicedesk.services.sla import CLOCK_EVENT_KINDS, TermsCache, sla_state
from steward.tenancy.choices import Role
from steward.tenancy.models import User

log = logging.getLogger(__name__)

CLOCK_LABELS = {"response": "Response", "plan": "Resolution plan", "resolution": "Resolution"}
NOBODY = "nobody to tell (no service manager or assignee with a mail address)"


@dataclass(frozen=True)
class Announcement:
    """One deadline announced: on which ticket, which kind, at which instant."""

    ticket_id: int
    kind: str  # e.g. "response_warning", "resolution_breach"
    at: datetime

    @property
    def clock(self) -> str:
        return self.kind.rsplit("_", 1)[0]

    @property
    def is_breach(self) -> bool:
        return self.kind.endswith("_breach")


def process_deadlines(now: datetime, limit: int = 500) -> list[Announcement]:
    """Announce every SLA deadline due at ``now`` (at most ``limit`` tickets per call); safe to
    run from several workers at once and to re-run after a crash."""
    due = list(
        Ticket.objects.filter(next_deadline_at__isnull=False, next_deadline_at__lte=now)
        .order_by("next_deadline_at", "pk")
        .values_list("pk", "next_deadline_at", "next_deadline_kind")[:limit]
    )
    cache = TermsCache()
    announced: list[Announcement] = []
    for pk, at, kind in due:
        announced += _claim_and_announce(pk, at, kind, now, cache)
    return announced


def _claim_and_announce(
    pk: int, at: datetime, kind: str, now: datetime, cache: TermsCache
) -> list[Announcement]:
    with transaction.atomic():
        # The claim: one UPDATE that matches only while the row holds the deadline we read.
        claimed = Ticket.objects.filter(pk=pk, next_deadline_at=at, next_deadline_kind=kind).update(
            next_deadline_at=None, next_deadline_kind=""
        )
        if claimed != 1:
            return []  # another worker took it, an action moved it, or the ticket is gone
        ticket = Ticket.objects.select_related("client", "assignee").get(pk=pk)
        events = list(ticket.events.filter(kind__in=CLOCK_EVENT_KINDS).order_by("at", "pk"))
        state, _ = sla_state(ticket, events, now, cache)
        done = set(ticket.sla_announced)
        reached = [] if state is None else state.deadlines
        fresh = sorted(
            (d for d in reached if d.known_at <= now and d.kind not in done),
            key=lambda d: (d.at, d.kind),
        )
        for deadline in fresh:
            _announce(ticket, deadline.at, deadline.kind, now)
            done.add(deadline.kind)
            if deadline.is_breach:
                done.add(f"{deadline.clock}_warning")
        ticket.sla_announced = sorted(done)
        ticket.save(update_fields=["sla_announced"])
        services.refresh_sla(ticket, now, cache)
    return [Announcement(pk, d.kind, d.at) for d in fresh]


def _announce(ticket: Ticket, at: datetime, kind: str, now: datetime) -> None:
    clock = kind.rsplit("_", 1)[0]
    label = CLOCK_LABELS.get(clock, clock)
    breach = kind.endswith("_breach")
    services.record_event(
        ticket,
        EventKind.SLA_BREACH if breach else EventKind.SLA_WARNING,
        at=at,
        body=f"{label} target {'breached' if breach else 'nearly reached'}",
        data={"clock": clock, "kind": kind},
        now=now,
    )
    if not breach:
        return
    recipients = breach_recipients(ticket)
    names = [u.get_username() for u in recipients]
    told = f"told {', '.join(names)}" if names else NOBODY
    services.record_event(
        ticket,
        EventKind.ESCALATED,
        at=at,
        body=f"{label} target breached: {told}",
        data={"clock": clock, "to": names},
        now=now,
    )
    if recipients:
        transaction.on_commit(partial(notify_breach, ticket.pk, clock, at))


def breach_recipients(ticket: Ticket) -> list[User]:
    """The client's service managers (those who see the client) and the assignee, among those
    with a mail address."""
    managers = User.objects.filter(
        staff_seeing_client(ticket.client_id), role=Role.SERVICE_MANAGER
    ).exclude(email="")
    people = {u.pk: u for u in managers}
    assignee = ticket.assignee
    if assignee is not None and assignee.is_active and assignee.email:
        people[assignee.pk] = assignee
    return sorted(people.values(), key=lambda u: u.get_username())


def breach_message(ticket: Ticket, clock: str, due: datetime, to: list[str]) -> EmailMessage:
    """The breach mail: what was breached, when, on which ticket of which client."""
    label = CLOCK_LABELS.get(clock, clock)
    subject = f"[SLA breach] {ticket.number} {ticket.subject} ({ticket.client.name})"
    body = "\n".join(
        [
            f"The {label.lower()} target of ticket {ticket.number} was breached.",
            "",
            f"Ticket:    {ticket.number} {ticket.subject}",
            f"Client:    {ticket.client.name}",
            f"Priority:  {ticket.priority}",
            f"Clock:     {label}",
            f"Due:       {_local(due, ticket)}",
            f"Assignee:  {ticket.assignee.get_username() if ticket.assignee else 'nobody'}",
            f"Status:    {ticket.get_status_display()}",
            "",
            "Steward",
        ]
    )
    return EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, to)


def _local(moment: datetime, ticket: Ticket) -> str:
    """An instant on the client's wall clock, with the UTC instant for the record."""
    zone = ZoneInfo(ticket.client.timezone or "UTC")
    local = moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S %Z")
    return f"{local} ({moment.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC)"


def notify_breach(ticket_id: int, clock: str, due: datetime) -> None:
    """Mail the breach to the ticket's service managers and assignee. Runs after commit; a
    failed send is logged and does not undo the announcement (a later notify app retries)."""
    ticket = Ticket.objects.select_related("client", "assignee").get(pk=ticket_id)
    to = [u.email for u in breach_recipients(ticket)]
    if not to:
        return
    try:
        breach_message(ticket, clock, due, to).send()
    except OSError:
        log.exception("could not mail the SLA breach of %s", ticket)
