"""Service-desk statistics: pure aggregate queries, one query per figure, grouped in the database.

Every function takes a half-open range ``[start, end)`` of aware instants (or one instant) and
optionally the clients to look at, and returns one row per client (and per priority where the
figure is per priority). Nothing here loops over tickets in Python: with 100,000 tickets a
year the work belongs in one ``GROUP BY`` with conditional counts.

Which tickets count, and when (docs/servicedesk.md, "Measures"):

- Duplicates merged into another ticket never count: the survivor carries the request.
- Response and resolution attainment, MTTA, reopen rate and first-contact resolution look at
  the tickets *created* in the range. An outcome counts once it is decided (``*_met`` is not
  None: answered or resolved, or already late); tickets without an SLA or still within their
  target are left out, and reported as ``pending`` where that matters.
- MTTR looks at the tickets whose (last) resolution falls in the range, so a closed period's
  value is complete as soon as it ends.
- CSAT: the average over the answers given in the range; the response rate over the surveys
  sent in the range (answered by now).
- The backlog at an instant T: tickets created before T and not resolved at T (open now, or
  resolved at or after T; for a ticket without an SLA, closed or last changed at or after T).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Min, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from steward.servicedesk.choices import EventKind, Status
from steward.servicedesk.models import Survey, Ticket, TicketEvent

Clients = Iterable[Any] | None
DONE = (Status.RESOLVED, Status.CLOSED)
# Backlog age buckets: (label, lower bound of age). A ticket falls in the last bucket whose
# bound its age reaches.
AGE_BUCKETS: tuple[tuple[str, timedelta], ...] = (
    ("under_1d", timedelta(0)),
    ("1d_3d", timedelta(days=1)),
    ("3d_7d", timedelta(days=3)),
    ("7d_30d", timedelta(days=7)),
    ("over_30d", timedelta(days=30)),
)


def percent(part: int, whole: int) -> Decimal | None:
    """``100 * part / whole`` as a Decimal (4 places), None when ``whole`` is 0."""
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.0001"))


def _client_ids(clients: Clients) -> list[int] | None:
    if clients is None:
        return None
    return [c if isinstance(c, int) else c.pk for c in clients]


def counted_tickets(clients: Clients = None) -> QuerySet[Ticket]:
    """The tickets statistics look at: all but merged duplicates, of ``clients`` when given."""
    tickets = Ticket.objects.filter(merged_into__isnull=True).order_by()
    ids = _client_ids(clients)
    return tickets if ids is None else tickets.filter(client_id__in=ids)


def created_in(start: datetime, end: datetime, clients: Clients = None) -> QuerySet[Ticket]:
    return counted_tickets(clients).filter(created_at__gte=start, created_at__lt=end)


# --- SLA attainment ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttainmentRow:
    """Decided SLA outcomes of one client's tickets of one priority."""

    client_id: int
    priority: str
    response_met: int
    response_total: int
    resolution_met: int
    resolution_total: int

    @property
    def response_percent(self) -> Decimal | None:
        return percent(self.response_met, self.response_total)

    @property
    def resolution_percent(self) -> Decimal | None:
        return percent(self.resolution_met, self.resolution_total)


def attainment(start: datetime, end: datetime, clients: Clients = None) -> list[AttainmentRow]:
    """Response and resolution targets met, of the decided outcomes, per client and priority,
    for the tickets created in ``[start, end)``."""
    rows = (
        created_in(start, end, clients)
        .values("client_id", "priority")
        .annotate(
            r_met=Count("pk", filter=Q(response_met=True)),
            r_total=Count("response_met"),  # COUNT(col) skips NULL: undecided
            s_met=Count("pk", filter=Q(resolution_met=True)),
            s_total=Count("resolution_met"),
        )
        .order_by("client_id", "priority")
    )
    return [
        AttainmentRow(
            r["client_id"], r["priority"], r["r_met"], r["r_total"], r["s_met"], r["s_total"]
        )
        for r in rows
    ]


# --- Mean times ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DurationRow:
    """``count`` tickets of one client and priority and their summed business seconds."""

    client_id: int
    priority: str
    count: int
    total_seconds: int

    @property
    def mean_seconds(self) -> Decimal | None:
        return None if not self.count else Decimal(self.total_seconds) / self.count


def _durations(tickets: QuerySet[Ticket], column: str) -> list[DurationRow]:
    rows = (
        tickets.filter(**{f"{column}__isnull": False})
        .values("client_id", "priority")
        .annotate(n=Count("pk"), total=Sum(column))
        .order_by("client_id", "priority")
    )
    return [DurationRow(r["client_id"], r["priority"], r["n"], r["total"]) for r in rows]


def mtta(start: datetime, end: datetime, clients: Clients = None) -> list[DurationRow]:
    """Business seconds from creation to the first response (MTTA = total / count), for the
    tickets created in ``[start, end)`` that have been answered."""
    return _durations(created_in(start, end, clients), "business_seconds_to_response")


def mttr(start: datetime, end: datetime, clients: Clients = None) -> list[DurationRow]:
    """Business seconds from creation to resolution, pauses excluded (MTTR = total / count),
    for the tickets resolved in ``[start, end)`` and still resolved or closed."""
    resolved = counted_tickets(clients).filter(
        resolved_at__gte=start, resolved_at__lt=end, status__in=DONE
    )
    return _durations(resolved, "business_seconds_to_resolution")


def combine(rows: Sequence[Any], priority: str = "") -> dict[str, int]:
    """Sum the numeric fields of per-priority rows (of one client), keeping only ``priority``
    when given."""
    totals: dict[str, int] = {}
    for row in rows:
        if priority and row.priority != priority:
            continue
        for name, value in vars(row).items():
            if name not in ("client_id", "priority"):
                totals[name] = totals.get(name, 0) + value
    return totals


# --- Backlog -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BacklogRow:
    """One client's open tickets at an instant: how many, by age bucket, and the oldest."""

    client_id: int
    open: int
    buckets: dict[str, int]
    oldest_created_at: datetime | None


def open_at(at: datetime, clients: Clients = None) -> QuerySet[Ticket]:
    """Tickets open at ``at``: created before it and not resolved by then.

    A resolved ticket's ``resolved_at`` is its *last* resolution, so a ticket resolved before
    ``at`` and reopened and resolved again after it counts as open at ``at``: the columns keep
    no earlier resolutions, and the event log is too costly to read here.
    """
    # A ticket without an SLA has no resolved_at: its closing, else its last change, stands in.
    done_at = Coalesce("resolved_at", "closed_at", "updated_at")
    return (
        counted_tickets(clients)
        .alias(done_at=done_at)
        .filter(Q(created_at__lt=at) & (~Q(status__in=DONE) | Q(done_at__gte=at)))
    )


def backlog_age(at: datetime, clients: Clients = None) -> list[BacklogRow]:
    """The open tickets at ``at`` per client, counted by age (``AGE_BUCKETS``)."""
    bounds = [(label, at - age) for label, age in AGE_BUCKETS]
    counts: dict[str, Any] = {}
    for index, (label, newest) in enumerate(bounds):
        # Age >= this bucket's bound and < the next one's, as bounds on created_at.
        q = Q(created_at__lte=newest)
        if index + 1 < len(bounds):
            q &= Q(created_at__gt=bounds[index + 1][1])
        counts[label] = Count("pk", filter=q)
    rows = (
        open_at(at, clients)
        .values("client_id")
        .annotate(n=Count("pk"), oldest=Min("created_at"), **counts)
        .order_by("client_id")
    )
    return [
        BacklogRow(
            r["client_id"], r["n"], {label: r[label] for label, _ in AGE_BUCKETS}, r["oldest"]
        )
        for r in rows
    ]


# --- Reopens and first-contact resolution --------------------------------------------------------


@dataclass(frozen=True)
class RateRow:
    """``part`` of ``whole`` tickets of one client (reopened of resolved, resolved at first
    contact of resolved)."""

    client_id: int
    part: int
    whole: int

    @property
    def percent(self) -> Decimal | None:
        return percent(self.part, self.whole)


def reopen_rate(start: datetime, end: datetime, clients: Clients = None) -> list[RateRow]:
    """Of the tickets created in ``[start, end)`` that were resolved at least once (resolved
    or closed now, or reopened since), those reopened at least once."""
    rows = (
        created_in(start, end, clients)
        .filter(Q(status__in=DONE) | Q(reopen_count__gt=0))
        .values("client_id")
        .annotate(part=Count("pk", filter=Q(reopen_count__gt=0)), whole=Count("pk"))
        .order_by("client_id")
    )
    return [RateRow(r["client_id"], r["part"], r["whole"]) for r in rows]


def staff_replies() -> Q:
    """Public replies written by MSP staff: the replies that answer the response clock."""
    return Q(kind=EventKind.REPLY, public=True, actor__isnull=False, actor_contact__isnull=True)


def staff_reply_count() -> Coalesce:
    """Per ticket: its public staff replies (a correlated subquery on the (ticket, at) index)."""
    replies = (
        TicketEvent.objects.filter(staff_replies(), ticket_id=OuterRef("pk"))
        .order_by()
        .values("ticket_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(replies), Value(0))


def first_contact_q() -> Q:
    """Resolved at first contact: never reopened and at most one public staff reply (the
    one that answered, or none when the fix needed no written answer). Internal notes and
    the client's own messages do not count."""
    return Q(reopen_count=0, staff_replies__lte=1)


def first_contact_resolution(
    start: datetime, end: datetime, clients: Clients = None
) -> list[RateRow]:
    """Of the tickets created in ``[start, end)`` and resolved or closed now, those resolved
    at first contact (``first_contact_q``)."""
    rows = (
        created_in(start, end, clients)
        .filter(status__in=DONE)
        .annotate(staff_replies=staff_reply_count())
        .values("client_id")
        .annotate(part=Count("pk", filter=first_contact_q()), whole=Count("pk"))
        .order_by("client_id")
    )
    return [RateRow(r["client_id"], r["part"], r["whole"]) for r in rows]


# --- Satisfaction --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CsatRow:
    """One client's surveys: ``sent`` in the range and how many of those are ``answered``;
    ``rated`` answers given in the range and the sum of their ratings."""

    client_id: int
    sent: int
    answered: int
    rated: int
    rating_total: int

    @property
    def average(self) -> Decimal | None:
        if not self.rated:
            return None
        return (Decimal(self.rating_total) / self.rated).quantize(Decimal("0.0001"))

    @property
    def response_rate(self) -> Decimal | None:
        return percent(self.answered, self.sent)


def csat(start: datetime, end: datetime, clients: Clients = None) -> list[CsatRow]:
    """CSAT average (answers given in ``[start, end)``) and response rate (surveys sent in the
    range, answered by now), per client, in one query."""
    sent = Q(sent_at__gte=start, sent_at__lt=end)
    rated = Q(answered_at__gte=start, answered_at__lt=end, rating__isnull=False)
    # A merged duplicate's survey does not count, like the duplicate itself.
    surveys = Survey.objects.filter(sent | rated, ticket__merged_into__isnull=True).order_by()
    ids = _client_ids(clients)
    if ids is not None:
        surveys = surveys.filter(client_id__in=ids)
    rows = (
        surveys.values("client_id")
        .annotate(
            sent=Count("pk", filter=sent),
            answered=Count("pk", filter=sent & Q(answered_at__isnull=False)),
            rated=Count("pk", filter=rated),
            total=Coalesce(Sum("rating", filter=rated), Value(0)),
        )
        .order_by("client_id")
    )
    return [CsatRow(r["client_id"], r["sent"], r["answered"], r["rated"], r["total"]) for r in rows]


__all__ = [
    "AGE_BUCKETS",
    "AttainmentRow",
    "BacklogRow",
    "CsatRow",
    "DurationRow",
    "RateRow",
    "attainment",
    "backlog_age",
    "combine",
    "counted_tickets",
    "created_in",
    "csat",
    "first_contact_resolution",
    "mtta",
    "mttr",
    "open_at",
    "percent",
    "reopen_rate",
]
