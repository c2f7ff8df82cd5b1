"""SLA escalation: announce each warning and breach once, when its instant comes.

Every ticket with a running clock stores its next deadline (``next_deadline_at`` and its kind)
in an indexed column. ``process_deadlines`` runs every minute (``tasks.announce_sla_deadlines``):

1. Read up to ``limit`` tickets whose deadline is due (``next_deadline_at <= now``).
2. Claim each by compare-and-set: one UPDATE moves the deadline into ``announced_deadline_*``
   and clears ``next_deadline_*`` only if the row still holds the deadline that was read. Two
   workers reading the same row both try; the database lets one UPDATE match, so exactly one
   announces (on PostgreSQL the second UPDATE waits for the first transaction and then finds
   the row changed).
3. In the claiming transaction, catch up: deadlines between the last announced one and now that
   an action on the ticket moved past before the job ran are found by replaying the clocks
   (``_missed_deadlines``). A deadline at or before the last one announced of the same kind is
   never announced again.
4. Each deadline becomes an ``SLA_WARNING`` or ``SLA_BREACH`` timeline event (``data.clock``
   names the clock); a breach also an ``ESCALATED`` event and, after commit, a mail to the
   client's service managers and the assignee (``notify_breach``).
5. The SLA columns are refreshed, so ``next_deadline_at`` moves to the following deadline.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from steward.servicedesk import services
from steward.servicedesk.choices import EventKind, Source
from steward.servicedesk.models import Ticket, TicketEvent
from steward.servicedesk.models.tickets import OPEN_Q
from steward.servicedesk.routing import staff_seeing_client
from steward.servicedesk.services.sla import CLOCK_EVENT_KINDS, TermsCache, compute_columns
from steward.tenancy.choices import Role
from steward.tenancy.models import User

log = logging.getLogger(__name__)

CLOCK_LABELS = {"response": "Response", "plan": "Resolution plan", "resolution": "Resolution"}
# A breach is announced at its due instant, when elapsed time equals the target; one second
# later the clock reads as breached (met = False), which is what the columns should show.
_SETTLE = timedelta(seconds=1)
ANNOUNCED_KINDS = (EventKind.SLA_WARNING, EventKind.SLA_BREACH)
NOBODY = "nobody to tell (no service manager or assignee with a mail address)"
# A ticket has at most six deadlines (warning and breach of three clocks); the walk that finds
# missed ones also steps over the ticket's events, so allow for both.
_MAX_WALK = 200


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
    return announced + _sweep_breaches(now, limit)


def _unannounced(clock: str) -> Q:
    """Open tickets whose ``clock`` is breached with no breach entry on the timeline."""
    announced = TicketEvent.objects.filter(
        ticket=OuterRef("pk"), kind=EventKind.SLA_BREACH, data__clock=clock
    )
    return Q(**{f"{clock}_met": False}) & ~Q(Exists(announced))


def _sweep_breaches(now: datetime, limit: int) -> list[Announcement]:
    """Breaches no deadline led to: the clocks report only future deadlines, so a breach that
    is already past when it appears (a priority raised from P4 to P1 two hours in) has none.
    Claimed by compare-and-set on the last announcement, like deadlines."""
    announced: list[Announcement] = []
    for clock in ("response", "resolution"):
        rows = (
            # Imported tickets bring their history; their past breaches were the old system's.
            Ticket.objects.filter(OPEN_Q)
            .exclude(source=Source.IMPORT)
            .filter(_unannounced(clock))
            .order_by("pk")
            .values_list(
                "pk", f"{clock}_due_at", "announced_deadline_at", "announced_deadline_kind"
            )
        )
        for pk, due, last_at, last_kind in rows[:limit]:
            if due is None or due > now:
                continue
            with transaction.atomic():
                claimed = Ticket.objects.filter(
                    pk=pk, announced_deadline_at=last_at, announced_deadline_kind=last_kind
                ).update(announced_deadline_at=due, announced_deadline_kind=f"{clock}_breach")
                if claimed != 1:
                    continue  # another worker announced something on this ticket meanwhile
                ticket = Ticket.objects.select_related("client", "assignee").get(pk=pk)
                _announce(ticket, due, f"{clock}_breach", now)
                announced.append(Announcement(pk, f"{clock}_breach", due))
    return announced


def _claim_and_announce(
    pk: int, at: datetime, kind: str, now: datetime, cache: TermsCache
) -> list[Announcement]:
    with transaction.atomic():
        last = (
            Ticket.objects.filter(pk=pk)
            .values_list("announced_deadline_at", "announced_deadline_kind")
            .first()
        )
        if last is None:
            return []  # the ticket is gone
        # The claim: one UPDATE that matches only while the row holds the deadline we read.
        claimed = Ticket.objects.filter(pk=pk, next_deadline_at=at, next_deadline_kind=kind).update(
            next_deadline_at=None, next_deadline_kind=""
        )
        if claimed != 1:
            return []  # another worker took it, or an action on the ticket moved it
        ticket = Ticket.objects.select_related("client", "assignee").get(pk=pk)
        settle, deadlines = _settle(ticket, (at, kind), last, now, cache)
        for instant, what in deadlines:
            _announce(ticket, instant, what, settle)
        newest = max([(at, kind), *deadlines])
        if last[0] is None or newest[0] >= last[0]:
            Ticket.objects.filter(pk=pk).update(
                announced_deadline_at=newest[0], announced_deadline_kind=newest[1]
            )
        services.refresh_sla(ticket, settle, cache)
    return [Announcement(pk, what, instant) for instant, what in deadlines]


def _settle(
    ticket: Ticket,
    claimed: tuple[datetime, str],
    last: tuple[datetime | None, str],
    now: datetime,
    cache: TermsCache,
) -> tuple[datetime, list[tuple[datetime, str]]]:
    """The deadlines to announce and the instant to refresh the columns at: ``now``, or one
    second after the last deadline announced when that is later, so a breach announced at its
    due second reads as breached. A later refresh instant may reach further deadlines; repeat
    until it does not (a ticket has at most six)."""
    until = max(now, claimed[0] + _SETTLE)
    while True:
        deadlines = _to_announce(ticket, claimed, last, until, cache)
        settle = max([until, *(instant + _SETTLE for instant, _ in deadlines)])
        if settle == until:
            return settle, deadlines
        until = settle


def _to_announce(
    ticket: Ticket,
    claimed: tuple[datetime, str],
    last: tuple[datetime | None, str],
    until: datetime,
    cache: TermsCache,
) -> list[tuple[datetime, str]]:
    """The claimed deadline and any missed ones up to ``until``, in order, without those on
    the timeline already or at or before the last announcement of the same kind."""
    last_at, last_kind = last
    done = set(ticket.events.filter(kind__in=ANNOUNCED_KINDS).values_list("at", "data__kind"))
    # Replay from the latest announcement (the breach sweep may announce out of order).
    start = max([ticket.created_at, *(at for at, _ in done), *([last_at] if last_at else [])])
    found = set(_missed_deadlines(ticket, start, until, cache))
    found.add(claimed)
    fresh = [
        (instant, kind)
        for instant, kind in found
        if (instant, kind) not in done
        and not (last_at is not None and kind == last_kind and instant <= last_at)
    ]
    return sorted(fresh)


def _missed_deadlines(
    ticket: Ticket, start: datetime, until: datetime, cache: TermsCache
) -> list[tuple[datetime, str]]:
    """Deadlines in (start, until] that the clocks reached, found by replaying them: from each
    point, the next deadline counts only when no clock event comes first (an event at the same
    instant, such as a reply at the due second, takes precedence)."""
    events = list(ticket.events.filter(kind__in=CLOCK_EVENT_KINDS).order_by("at", "pk"))
    instants = sorted({e.at for e in events if start < e.at <= until})
    found: list[tuple[datetime, str]] = []
    cursor = max(start, ticket.created_at)
    for _ in range(_MAX_WALK):
        columns = compute_columns(ticket, events, cursor, cache)
        at, kind = columns["next_deadline_at"], columns["next_deadline_kind"]
        following = next((i for i in instants if i > cursor), None)
        if following is not None and (at is None or following <= at):
            cursor = following
            continue
        if at is None or at > until:
            break
        found.append((at, kind))
        cursor = at
    return found


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
