"""Routing: who should take a new ticket.

A ticket goes to the least-loaded technician who may work it now:

1. Candidates are active MSP staff (not auditors) who see the ticket's client (the reverse of
   ``Client.objects.visible_to(user)``), have a ``TechnicianProfile`` with ``auto_assign``,
   and, when the ticket's queue (or the default queue) has members, are among them.
2. They hold every skill the ticket's category requires (``Skill.categories``).
3. They are within working hours of their profile's calendar at ``now`` (no calendar: always).
4. Their weighted load (open tickets weighted by priority, ``PRIORITY_WEIGHT``) is below their
   capacity.
5. The lowest load wins; ties go to whoever received fewest assignments today (in their
   calendar's zone), then to the username.

Everything takes ``now``; nothing here writes. The receiver in ``receivers_routing`` assigns
through ``services.assign``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Case, Count, IntegerField, Q, Sum, Value, When
from django.utils import timezone

from steward.core.businesstime import between
from steward.servicedesk.choices import EventKind, Priority
from steward.servicedesk.models import Queue, Skill, TechnicianProfile, Ticket, TicketEvent
from steward.servicedesk.models.tickets import TicketQuerySet
from steward.tenancy.choices import Role
from steward.tenancy.models import User
from steward.tenancy.roles import ALL_CLIENT_ROLES, STAFF_ROLES

PRIORITY_WEIGHT: dict[str, int] = {Priority.P1: 4, Priority.P2: 3, Priority.P3: 2, Priority.P4: 1}
_ONE_SECOND = timedelta(seconds=1)


def staff_seeing_client(client_id: int) -> Q:
    """A filter on ``User`` for active staff who see client ``client_id``: the reverse of
    ``visible_client_filter`` (tests/servicedesk/test_routing.py checks they agree)."""
    assigned = User.assigned_clients.through.objects.filter(client_id=client_id).values("user_id")
    sees = (
        Q(is_superuser=True)
        | Q(role__in=ALL_CLIENT_ROLES)
        | Q(role=Role.TECHNICIAN, sees_all_clients=True)
        | Q(role=Role.TECHNICIAN, pk__in=assigned)
    )
    staff = Q(is_superuser=True) | Q(role__in=STAFF_ROLES)
    return Q(is_active=True) & staff & sees


def weight_expression() -> Case:
    """A ticket's weight in a technician's load, as SQL."""
    return Case(
        *(When(priority=p, then=Value(w)) for p, w in PRIORITY_WEIGHT.items()),
        default=Value(1),
        output_field=IntegerField(),
    )


def weighted_loads(tickets: TicketQuerySet, user_ids: Iterable[int]) -> dict[int, int]:
    """Weighted open-ticket load per assignee among ``tickets`` (0 for users with none)."""
    ids = list(user_ids)
    loads = dict.fromkeys(ids, 0)
    rows = (
        tickets.open()
        .filter(assignee_id__in=ids)
        .order_by()
        .values("assignee_id")
        .annotate(load=Sum(weight_expression()))
    )
    for row in rows:
        loads[row["assignee_id"]] = row["load"] or 0
    return loads


def in_working_hours(profile: TechnicianProfile, now: datetime) -> bool:
    """Whether ``now`` is inside the technician's working hours (no calendar: always)."""
    if profile.calendar is None:
        return True
    # The second starting at ``now`` is business time exactly when it counts as one.
    return between(profile.calendar.calendar_spec(), now, now + _ONE_SECOND) == 1


def effective_queue(ticket: Ticket) -> Queue | None:
    """The ticket's queue, or the default queue when it has none."""
    if ticket.queue_id is not None:
        return ticket.queue
    return Queue.objects.filter(is_default=True).order_by("pk").first()


def queue_auto_assigns(queue: Queue | None) -> bool:
    """Whether tickets of ``queue`` are assigned automatically (no queue: yes; technicians
    still opt in through their profile)."""
    return queue is None or queue.auto_assign


@dataclass(frozen=True)
class Candidate:
    user: User
    load: int
    capacity: int
    assigned_today: int

    @property
    def sort_key(self) -> tuple[int, int, str]:
        return (self.load, self.assigned_today, self.user.get_username())


def _eligible_profiles(ticket: Ticket, queue: Queue | None) -> list[TechnicianProfile]:
    """Steps 1 and 2: profiles of staff who see the client, opted in, in the queue, skilled."""
    # Auditors see every client but only look: they are never given work.
    users = User.objects.filter(staff_seeing_client(ticket.client_id)).exclude(role=Role.AUDITOR)
    if queue is not None and queue.members.exists():
        users = users.filter(queues=queue)
    profiles = list(
        TechnicianProfile.objects.filter(auto_assign=True, user__in=users.values("pk"))
        .select_related("user", "calendar")
        .prefetch_related("skills")
    )
    if ticket.category_id is None:
        return profiles
    required = set(Skill.objects.filter(categories=ticket.category_id).values_list("pk", flat=True))
    return [p for p in profiles if required <= {s.pk for s in p.skills.all()}]


def _local_day_start(profile: TechnicianProfile, now: datetime) -> datetime:
    zone = (
        ZoneInfo(profile.calendar.timezone) if profile.calendar else timezone.get_default_timezone()
    )
    local = now.astimezone(zone)
    return datetime.combine(local.date(), time(0), tzinfo=zone)


def _assigned_today(profiles: list[TechnicianProfile], now: datetime) -> dict[int, int]:
    """Assignments each technician received since the start of their local day."""
    starts = {p.user_id: _local_day_start(p, now) for p in profiles}
    by_username = {p.user.get_username(): p.user_id for p in profiles}
    counts = dict.fromkeys(starts, 0)
    if not starts:
        return counts
    events = TicketEvent.objects.filter(
        kind=EventKind.ASSIGNED,
        to_value__in=list(by_username),
        at__gte=min(starts.values()),
        at__lte=now,
    ).values_list("to_value", "at")
    for username, at in events:
        user_id = by_username[username]
        if at >= starts[user_id]:
            counts[user_id] += 1
    return counts


def candidates(ticket: Ticket, now: datetime) -> list[Candidate]:
    """Every technician who may take ``ticket`` at ``now``, best first (steps 1 to 5)."""
    profiles = [
        p for p in _eligible_profiles(ticket, effective_queue(ticket)) if in_working_hours(p, now)
    ]
    loads = weighted_loads(Ticket.objects.all(), [p.user_id for p in profiles])
    today = _assigned_today(profiles, now)
    found = [
        Candidate(p.user, loads[p.user_id], p.capacity, today[p.user_id])
        for p in profiles
        if loads[p.user_id] < p.capacity
    ]
    return sorted(found, key=lambda c: c.sort_key)


def pick_technician(ticket: Ticket, now: datetime) -> User | None:
    """The technician routing gives ``ticket`` to at ``now``, or None when nobody fits (the
    ticket then waits on the dispatch board)."""
    found = candidates(ticket, now)
    return found[0].user if found else None


def open_counts(tickets: TicketQuerySet, user_ids: Iterable[int]) -> dict[int, int]:
    """Open tickets per assignee among ``tickets`` (unweighted), for the load summary."""
    ids = list(user_ids)
    counts = dict.fromkeys(ids, 0)
    rows = (
        tickets.open()
        .filter(assignee_id__in=ids)
        .order_by()
        .values("assignee_id")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        counts[row["assignee_id"]] = row["n"]
    return counts
