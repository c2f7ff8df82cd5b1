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
   reached it (``data.clock`` names the clock) and a notice published to the notify app, whose
   policies route it (by default a breach goes by mail to the client's service managers and
   the assignee, sent after commit); a breach also an ``ESCALATED`` event naming them. A
   breach announced with its warning unannounced supersedes it.
5. The kinds join ``sla_announced`` and the SLA columns are refreshed, so ``next_deadline_at``
   moves to the following deadline.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.db import transaction

from steward.notify.events import Notice, NoticeKind, publish
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
    publish(sla_notice(ticket, clock, at, breach))
    if not breach:
        return
    names = [u.get_username() for u in breach_recipients(ticket)]
    told = f"told {', '.join(names)}" if names else NOBODY
    services.record_event(
        ticket,
        EventKind.ESCALATED,
        at=at,
        body=f"{label} target breached: {told}",
        data={"clock": clock, "to": names},
        now=now,
    )


def breach_recipients(ticket: Ticket) -> list[User]:
    """The client's service managers (those who see the client) and the assignee, among those
    with a mail address: whom the notify app's default breach policy reaches."""
    managers = User.objects.filter(
        staff_seeing_client(ticket.client_id), role=Role.SERVICE_MANAGER
    ).exclude(email="")
    people = {u.pk: u for u in managers}
    assignee = ticket.assignee
    if assignee is not None and assignee.is_active and assignee.email:
        people[assignee.pk] = assignee
    return sorted(people.values(), key=lambda u: u.get_username())


def sla_notice(ticket: Ticket, clock: str, due: datetime, breach: bool) -> Notice:
    """The warning or breach as a notice; its key makes a re-announcement a no-op."""
    label = CLOCK_LABELS.get(clock, clock)
    kind = NoticeKind.SLA_BREACH if breach else NoticeKind.SLA_WARNING
    return Notice(
        kind=kind,
        client_id=ticket.client_id,
        at=due,
        key=f"{kind}:{ticket.pk}:{clock}:{due.isoformat()}",
        subject=f"{label} target {'breached' if breach else 'nearly reached'}: {ticket.subject}",
        url=f"/tickets/{ticket.pk}/",
        priority=ticket.priority,
        context={
            "ticket_id": ticket.pk,
            "ticket_number": ticket.number,
            "ticket_subject": ticket.subject,
            "clock": clock,
            "clock_label": label,
            "due_local": _local(due, ticket),
            "assignee": ticket.assignee.get_username() if ticket.assignee else "",
            "assignee_id": ticket.assignee_id,
            "status": ticket.get_status_display(),
        },
    )


def _local(moment: datetime, ticket: Ticket) -> str:
    """An instant on the client's wall clock, with the UTC instant for the record."""
    zone = ZoneInfo(ticket.client.timezone or "UTC")
    local = moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S %Z")
    return f"{local} ({moment.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC)"
