"""Read-side helpers of the ticket API and pages: who may work tickets, what a user sees of a
ticket (events, attachments), and the ticket list (filters, one-query rows, a fast plan).

Every query starts at ``visible_to(user)``; nothing here writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connections, models
from django.db.models import F, Func, Q, QuerySet
from django.db.models.expressions import OrderBy
from django.http import HttpResponse
from django.utils.http import content_disposition_header

from steward.api.rows import compiled_sql, fetch_all
from steward.servicedesk import services
from steward.servicedesk.choices import OPEN_STATUSES, Priority, Status
from steward.servicedesk.models import Attachment, Ticket, TicketEvent
from steward.servicedesk.models.tickets import OPEN_Q
from steward.tenancy.choices import Role
from steward.tenancy.models import Contact
from steward.tenancy.scoping import is_active_staff, scope_key

# --- Who may do what, and what they see ---------------------------------------------------------


def may_work(user: Any) -> bool:
    """MSP staff who work tickets: every staff role but the auditor, who only reads."""
    return is_active_staff(user) and (user.is_superuser or user.role != Role.AUDITOR)


def contact_of(user: Any) -> Contact | None:
    """The Contact a client contact's login belongs to (None for staff)."""
    if getattr(user, "role", None) != Role.CLIENT_CONTACT or user.client_id is None:
        return None
    return Contact.objects.filter(user=user, client_id=user.client_id).first()


# What a ticket object needs on a page: one join each, never a query per row.
TICKET_RELATED = ("client", "assignee", "requester", "category")


def visible_tickets(user: Any) -> QuerySet[Ticket]:
    return Ticket.objects.visible_to(user).select_related(*TICKET_RELATED)


def visible_events(user: Any, ticket: Ticket) -> QuerySet[TicketEvent]:
    """The ticket's timeline as ``user`` may read it: contacts see public events only."""
    rows = TicketEvent.objects.visible_to(user).filter(ticket=ticket)
    if not is_active_staff(user):
        rows = rows.filter(public=True)
    return rows.select_related("actor", "actor_contact").prefetch_related("attachments")


def visible_attachments(user: Any) -> QuerySet[Attachment]:
    """Attachments ``user`` may download: contacts only those of public events."""
    rows = Attachment.objects.visible_to(user)
    return rows if is_active_staff(user) else rows.filter(event__public=True)


def attachment_response(attachment: Attachment) -> HttpResponse:
    """A download that a browser never renders inline or second-guesses the type of."""
    response = HttpResponse(
        services.read_attachment(attachment), content_type=attachment.content_type
    )
    disposition = content_disposition_header(True, attachment.filename)
    response["Content-Disposition"] = disposition or "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- Ticket rows in one query -------------------------------------------------------------------

# The names TicketOut shows beside the ids, read through one join each.
TICKET_JOINS: dict[str, Any] = {
    "client_name": F("client__name"),
    "assignee_username": F("assignee__username"),
    "category_code": F("category__code"),
    "requester_first": F("requester__first_name"),
    "requester_last": F("requester__last_name"),
}
# Computed in Python by ``finish_ticket``: as SQL expressions they doubled the query's
# compile time, the largest part of a list request.
TICKET_COMPUTED = frozenset({"number", "requester_name", "is_open", "breached"})
DONE = frozenset({Status.RESOLVED.value, Status.CLOSED.value})


def ticket_values(rows: QuerySet[Ticket], columns: Iterable[str]) -> QuerySet[Any]:
    """``columns`` of the ticket and the joined names, as dicts, from one query; pass each
    row through ``finish_ticket``."""
    skip = TICKET_COMPUTED | TICKET_JOINS.keys() | {"requester_name"}
    return rows.values(*[c for c in columns if c not in skip], **TICKET_JOINS)


def finish_ticket(row: dict[str, Any]) -> dict[str, Any]:
    """Add the computed fields to a ``ticket_values`` row (in place; returned for chaining)."""
    first, last = row.pop("requester_first"), row.pop("requester_last")
    row["requester_name"] = None if row["requester_id"] is None else f"{first} {last}".strip()
    row["number"] = f"#{row['id']}"
    row["is_open"] = row["status"] not in DONE
    row["breached"] = row["response_met"] is False or row["resolution_met"] is False
    return row


# --- The list's filters -------------------------------------------------------------------------

BREACHED_Q = Q(response_met=False) | Q(resolution_met=False)


def _choices(raw: Iterable[str] | None, allowed: list[str], field: str) -> list[str]:
    chosen = []
    for value in raw or ():
        for part in (p.strip() for p in value.split(",")):
            if part and part not in allowed:
                raise ValidationError({field: f"unknown value {part[:40]!r}; one of {allowed}"})
            if part:
                chosen.append(part)
    return chosen


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _column(rows: QuerySet[Ticket], name: str, unindexed: bool) -> tuple[Any, str]:
    """``name``, or (``unindexed``) an alias SQLite cannot answer from an index: unary ``+``
    is its documented way to keep the planner off an index for one term."""
    if not unindexed:
        return rows, name
    field: Any = models.BigIntegerField() if name.endswith("_id") else models.CharField()
    plus = Func(F(name), template="+%(expressions)s", output_field=field)
    return rows.alias(**{f"{name}_unindexed": plus}), f"{name}_unindexed"


def clean_filters(f: dict[str, Any]) -> dict[str, Any]:
    """``f`` with ``status`` and ``priority`` checked and split into lists (a bad value is a
    ValidationError naming the field); what ``filter_tickets`` takes."""
    clean = dict(f)
    for name, allowed in (("status", Status.values), ("priority", Priority.values)):
        chosen = _choices(f.get(name), allowed, name)
        if chosen:
            clean[name] = chosen
        else:
            clean.pop(name, None)
    return clean


def filter_tickets(
    rows: QuerySet[Ticket], f: dict[str, Any], user: Any, now: datetime, unindexed: bool = False
) -> Any:
    """Apply the list filters ``f`` (the API's TicketFilters names, through ``clean_filters``)
    to ``rows``. Each maps onto an index of Ticket (client+status, client+created_at,
    status+priority, assignee+status); ``unindexed`` keeps status, priority and assignee off
    them (see ``newest_first``)."""
    if f.get("client_id"):
        rows = rows.filter(client_id=f["client_id"])
    rows, status = _column(rows, "status", unindexed)
    rows, priority = _column(rows, "priority", unindexed)
    rows, assignee = _column(rows, "assignee_id", unindexed)
    if f.get("status"):
        rows = rows.filter(**{f"{status}__in": f["status"]})
    if f.get("priority"):
        rows = rows.filter(**{f"{priority}__in": f["priority"]})
    for key, value in (("assignee_id", f.get("assignee_id")), ("mine", user.pk)):
        if f.get(key):
            rows = rows.filter(**{assignee: value})
    if f.get("unassigned"):
        rows = rows.filter(**{f"{assignee}__isnull": True})
    if f.get("open") is not None:
        # status IN (…) rather than NOT IN, so the (client, status) index can serve it.
        rows = (
            rows.filter(**{f"{status}__in": OPEN_STATUSES}) if f["open"] else rows.exclude(OPEN_Q)
        )
    if f.get("at_risk"):
        rows = rows.filter(**{f"{status}__in": OPEN_STATUSES}, sla_warning_at__lte=now)
    return _other_filters(rows, f)


def _other_filters(rows: QuerySet[Ticket], f: dict[str, Any]) -> Any:
    """The filters no index serves: every row they keep is read anyway."""
    if f.get("kind"):
        rows = rows.filter(kind=f["kind"])
    if f.get("queue_id"):
        rows = rows.filter(queue_id=f["queue_id"])
    if f.get("breached") is not None:
        rows = rows.filter(BREACHED_Q if f["breached"] else ~BREACHED_Q)
    if f.get("created_after"):
        rows = rows.filter(created_at__gte=_aware(f["created_after"]))
    if f.get("created_before"):
        rows = rows.filter(created_at__lt=_aware(f["created_before"]))
    if f.get("q"):
        rows = rows.filter(subject__icontains=f["q"])
    return rows


# --- Newest first, fast -------------------------------------------------------------------------

# Matching rows above which walking the created_at index (newest first) fills a page sooner than
# sorting every match; below, the filter's own index finds them and sorting them is cheap.
DENSE = 2000
INDEXED_FILTERS = ("client_id", "status", "priority", "assignee_id", "mine", "unassigned",
                   "open", "at_risk")  # fmt: skip
# ``+created_at`` is an expression no index provides, so SQLite picks the filter's index.
SORTED_NEWEST = OrderBy(Func(F("created_at"), template="+%(expressions)s"), descending=True)


PLAIN_NEWEST = ("-created_at", "-pk")


def _plan(vendor: str, f: dict[str, Any], count: int) -> tuple[bool, tuple[Any, ...]]:
    """How to read ``count`` matches of ``f`` newest first: (``unindexed``, ORDER BY)."""
    if vendor != "sqlite" or not any(f.get(n) for n in INDEXED_FILTERS):
        return False, PLAIN_NEWEST
    if count <= DENSE:
        # With a client, off (status, priority) too: it spans every client, and without
        # statistics SQLite takes its two equalities for the narrower index.
        return bool(f.get("client_id")), (SORTED_NEWEST, "-pk")
    return True, PLAIN_NEWEST


def newest_first(
    base: QuerySet[Ticket], f: dict[str, Any], user: Any, now: datetime
) -> tuple[Any, int]:
    """The tickets of ``base`` matching ``f``, newest first, and how many match.

    SQLite plans without statistics: given ``client_id = ? AND status IN (…) ORDER BY
    created_at`` it walks (client, created_at) testing every ticket of the client, and given
    a common status it sorts tens of thousands of rows. The count, taken first, tells which
    plan is fast, and the query is shaped so SQLite takes it. PostgreSQL plans by statistics.
    """
    f = clean_filters(f)
    rows = filter_tickets(base, f, user, now)
    count = rows.count()
    unindexed, order = _plan(connections[rows.db].vendor, f, count)
    if unindexed:
        rows = filter_tickets(base, f, user, now, unindexed=True)
    return rows.order_by(*order), count


# Filters whose values reach the SQL unchanged, and those that only shape it: a page filtered
# by these alone runs SQL compiled once per shape (``compiled_sql``). The others (text search,
# times) take the ORM's path every time.
VALUE_FILTERS = ("client_id", "status", "priority", "kind", "assignee_id", "queue_id")
SHAPE_FILTERS = ("mine", "unassigned", "open", "breached")


def newest_page(
    user: Any, f: dict[str, Any], now: datetime, offset: int, limit: int
) -> tuple[list[int], int]:
    """The ids of one page of ``newest_first(visible_to(user), f)`` and how many match.

    The API's hottest path: building and compiling the two queries with the ORM cost more than
    running them, so each shape of filters is compiled once and then only given new values.
    """
    f = {name: value for name, value in clean_filters(f).items() if value is not None}
    if any(name not in VALUE_FILTERS and name not in SHAPE_FILTERS for name in f):
        rows, count = newest_first(Ticket.objects.visible_to(user), f, user, now)
        return list(rows.values_list("pk", flat=True)[offset : offset + limit]), count
    values = {name: f[name] for name in VALUE_FILTERS if name in f}
    shape = (
        tuple((name, len(v) if isinstance(v, list) else 0) for name, v in values.items()),
        tuple((name, f[name]) for name in SHAPE_FILTERS if name in f),
        scope_key(user),
    )
    connection = connections[Ticket.objects.db]

    def matching(given: Mapping[str, Any], unindexed: bool = False) -> Any:
        return filter_tickets(Ticket.objects.visible_to(user), {**f, **given}, user, now, unindexed)

    sql, params = compiled_sql(
        ("tickets.count", connection.alias, shape),
        lambda v: matching(v).order_by().values("pk"),
        values,
    )
    # The SQL is Django's own compilation; values travel as parameters.
    counted = f"SELECT COUNT(*) FROM ({sql}) AS matching"  # noqa: S608
    count = fetch_all(counted, params, connection.alias)[0][0]
    unindexed, order = _plan(connection.vendor, f, count)
    sql, params = compiled_sql(
        ("tickets.page", connection.alias, shape, unindexed, order == PLAIN_NEWEST),
        lambda v: matching(v, unindexed).order_by(*order).values_list("pk"),
        values,
    )
    page = fetch_all(f"{sql} LIMIT %s OFFSET %s", [*params, limit, offset], connection.alias)
    return [row[0] for row in page], count
