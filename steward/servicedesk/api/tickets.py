"""Tickets under /api/v1/: the list with its filters, open, read, change, and the actions of a
ticket's life (replies, plan, status, assignment, priority, watchers, links, merge,
attachments), each through a service verb.

Every lookup starts at ``Ticket.objects.visible_to(user)``, so another client's ticket is a 404.
Client contacts open tickets for their own client, reply, and read public events only; the
rest is for MSP staff who may work tickets (``may_work``).
"""

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.http import content_disposition_header
from ninja import File, Form, Query, Router
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status as Answer

from steward.agreements.api.common import fields_renamed
from steward.agreements.models import ServiceCategory
from steward.api.auth import Principal, require
from steward.api.params import ObjectId
from steward.servicedesk import services
from steward.servicedesk.choices import OPEN_STATUSES, Priority, Source, Status
from steward.servicedesk.models import Attachment, Queue, Ticket, TicketEvent, TicketLink
from steward.servicedesk.models.tickets import OPEN_Q
from steward.servicedesk.schemas import (
    AssignIn,
    AttachmentOut,
    EventOut,
    LinkIn,
    LinkOut,
    MergeIn,
    PlanIn,
    PriorityIn,
    ReplyIn,
    StatusIn,
    TicketFilters,
    TicketIn,
    TicketOut,
    TicketPatch,
    UserRef,
    WatcherIn,
)
from steward.tenancy.choices import Role, TokenScope
from steward.tenancy.models import Client, Contact, Site, User
from steward.tenancy.roles import VIEW_CLIENTS
from steward.tenancy.scoping import is_active_staff

router = Router()

# What a ticket row needs for its output: one join each, never a query per row.
TICKET_RELATED = ("client", "assignee", "requester", "category")
STAFF_ONLY_FILTERS = ("assignee_id", "unassigned", "mine", "queue_id")

# --- Who may do what ----------------------------------------------------------------------------


def may_work(user: Any) -> bool:
    """MSP staff who work tickets: every staff role but the auditor, who only reads."""
    return is_active_staff(user) and (user.is_superuser or user.role != Role.AUDITOR)


def contact_of(user: Any) -> Contact | None:
    """The Contact a client contact's login belongs to (None for staff)."""
    if getattr(user, "role", None) != Role.CLIENT_CONTACT or user.client_id is None:
        return None
    return Contact.objects.filter(user=user, client_id=user.client_id).first()


def _reader(request: HttpRequest) -> Principal:
    return require(request, scope=TokenScope.READ, permission=VIEW_CLIENTS)


def _staff_writer(request: HttpRequest) -> Principal:
    who = require(request, scope=TokenScope.WRITE, permission=VIEW_CLIENTS)
    if not may_work(who.user):
        raise HttpError(403, "only MSP staff who work tickets may do this")
    return who


def _participant(request: HttpRequest) -> tuple[Principal, Contact | None]:
    """Staff who work tickets, or a client contact (returned with their Contact)."""
    who = require(request, scope=TokenScope.WRITE, permission=VIEW_CLIENTS)
    if may_work(who.user):
        return who, None
    contact = contact_of(who.user)
    if contact is None:
        raise HttpError(403, "your login may not change tickets")
    return who, contact


def visible_tickets(user: Any) -> QuerySet[Ticket]:
    return Ticket.objects.visible_to(user).select_related(*TICKET_RELATED)


def _ticket(who: Principal, ticket_id: int) -> Ticket:
    return get_object_or_404(visible_tickets(who.user), pk=ticket_id)


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


# --- Filtering (shared with the web list) -------------------------------------------------------


def _choices(raw: Iterable[str] | None, allowed: list[str], field: str) -> list[str]:
    chosen = []
    for value in raw or ():
        for part in (p.strip() for p in value.split(",")):
            if not part:
                continue
            if part not in allowed:
                raise HttpError(422, f"{field}: unknown value {part[:40]!r}; one of {allowed}")
            chosen.append(part)
    return chosen


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def filter_tickets(rows: QuerySet[Ticket], f: dict[str, Any], user: Any, now: datetime) -> Any:
    """Apply the list filters ``f`` (TicketFilters' fields) to ``rows``; each maps onto an
    index of Ticket (client+status, client+created_at, status+priority, assignee+status)."""
    if f.get("client_id"):
        rows = rows.filter(client_id=f["client_id"])
    statuses = _choices(f.get("status"), Status.values, "status")
    if statuses:
        rows = rows.filter(status__in=statuses)
    priorities = _choices(f.get("priority"), Priority.values, "priority")
    if priorities:
        rows = rows.filter(priority__in=priorities)
    if f.get("kind"):
        rows = rows.filter(kind=f["kind"])
    if f.get("assignee_id"):
        rows = rows.filter(assignee_id=f["assignee_id"])
    if f.get("mine"):
        rows = rows.filter(assignee_id=user.pk)
    if f.get("unassigned"):
        rows = rows.filter(assignee__isnull=True)
    if f.get("queue_id"):
        rows = rows.filter(queue_id=f["queue_id"])
    breached = Q(response_met=False) | Q(resolution_met=False)
    if f.get("breached") is not None:
        rows = rows.filter(breached if f["breached"] else ~breached)
    if f.get("open") is not None:
        # status IN (…) rather than NOT IN, so the (client, status) index can serve it.
        rows = rows.filter(status__in=OPEN_STATUSES) if f["open"] else rows.exclude(OPEN_Q)
    if f.get("at_risk"):
        rows = rows.filter(status__in=OPEN_STATUSES, sla_warning_at__lte=now)
    if f.get("created_after"):
        rows = rows.filter(created_at__gte=_aware(f["created_after"]))
    if f.get("created_before"):
        rows = rows.filter(created_at__lt=_aware(f["created_before"]))
    if f.get("q"):
        rows = rows.filter(subject__icontains=f["q"])
    return rows


# --- List, open, read, change -------------------------------------------------------------------


@router.get("/tickets", response=list[TicketOut])
@paginate(LimitOffsetPagination)
def list_tickets(request: HttpRequest, filters: Query[TicketFilters]) -> QuerySet[Ticket]:
    """Tickets the caller may see, newest first. Client contacts see their client's tickets
    and may not use the staff filters (assignee, queue, mine, unassigned)."""
    who = _reader(request)
    given = filters.dict(exclude_none=True)
    if not is_active_staff(who.user):
        used = [name for name in STAFF_ONLY_FILTERS if name in given]
        if used:
            raise HttpError(403, f"{used[0]}: a filter for MSP staff")
    rows = filter_tickets(visible_tickets(who.user), given, who.user, timezone.now())
    return rows.order_by("-created_at", "-pk")  # type: ignore[no-any-return]


def _related(who: Principal, client: Client, fields: dict[str, Any]) -> dict[str, Any]:
    """Turn ``site_id``, ``requester_id``, ``queue_id`` and ``category`` into objects; a
    value the caller cannot see is a 422 naming the field."""
    found: dict[str, Any] = {}
    lookups: dict[str, QuerySet[Any]] = {
        "site_id": Site.objects.visible_to(who.user).filter(client=client),
        "requester_id": Contact.objects.visible_to(who.user).filter(client=client),
        "queue_id": Queue.objects.all(),
    }
    for field, rows in lookups.items():
        if field in fields:
            pk = fields.pop(field)
            obj = None if pk is None else rows.filter(pk=pk).first()
            if pk is not None and obj is None:
                raise HttpError(422, f"{field}: no such object of this client")
            found[field.removesuffix("_id")] = obj
    if "category" in fields:
        found["category"] = category_from(fields.pop("category"))
    return found


def category_from(ref: str | None) -> ServiceCategory | None:
    """A category by code, or by id when the text is a number that is no code."""
    if ref is None:
        return None
    found = ServiceCategory.objects.filter(code=ref).first()
    if found is None and ref.isdigit() and len(ref) < 19:
        found = ServiceCategory.objects.filter(pk=int(ref)).first()
    if found is None:
        raise HttpError(422, f"category: no category with code or id {ref[:50]!r}")
    return found


def _open_as_contact(who: Principal, contact: Contact, fields: dict[str, Any]) -> Ticket:
    if fields.get("priority") is not None or fields.get("queue_id") is not None:
        raise HttpError(403, "priority and queue are set by the MSP")
    if fields.pop("requester_id", None) not in (None, contact.pk):
        raise HttpError(422, "requester_id: client contacts open tickets as themselves")
    fields.pop("client_id", None)
    client = contact.client
    related = _related(who, client, fields)
    source = Source.API if who.token is not None else Source.PORTAL
    return services.open_ticket(
        client, **fields, **related, requester=contact, by_contact=contact, source=source
    )


@router.post("/tickets", response={201: TicketOut})
def open_ticket(request: HttpRequest, payload: TicketIn) -> Answer[Ticket]:
    """Open a ticket; its SLA clocks start under the client's agreement in force."""
    who, contact = _participant(request)
    fields = payload.dict()
    with fields_renamed({"site": "site_id", "requester": "requester_id", "queue": "queue_id"}):
        if contact is not None:
            ticket = _open_as_contact(who, contact, fields)
        else:
            client_id = fields.pop("client_id")
            if client_id is None:
                raise HttpError(422, "client_id: name the client")
            client = Client.objects.visible_to(who.user).filter(pk=client_id).first()
            if client is None:
                raise HttpError(422, "client_id: no such client")
            related = _related(who, client, fields)
            source = Source.API if who.token is not None else Source.STAFF
            ticket = services.open_ticket(client, **fields, **related, by=who.user, source=source)
    return Answer(201, _ticket(who, ticket.pk))


@router.get("/tickets/{ticket_id}", response=TicketOut)
def get_ticket(request: HttpRequest, ticket_id: ObjectId) -> Ticket:
    return _ticket(_reader(request), ticket_id)


@router.patch("/tickets/{ticket_id}", response=TicketOut)
def update_ticket(request: HttpRequest, ticket_id: ObjectId, payload: TicketPatch) -> Ticket:
    who = _staff_writer(request)
    ticket = _ticket(who, ticket_id)
    changes = payload.dict(exclude_unset=True)
    for name in ("subject", "kind", "impact", "urgency", "description"):
        if name in changes and changes[name] is None:
            raise HttpError(422, f"{name}: may not be null")
    changes |= _related(who, ticket.client, changes)
    with fields_renamed({"site": "site_id", "requester": "requester_id", "queue": "queue_id"}):
        services.update_ticket(ticket, changes, by=who.user)
    return _ticket(who, ticket.pk)


# --- Conversation -------------------------------------------------------------------------------


@router.post("/tickets/{ticket_id}/replies", response={201: EventOut})
def reply(request: HttpRequest, ticket_id: ObjectId, payload: ReplyIn) -> Answer[TicketEvent]:
    """A public reply, or (staff, ``public: false``) an internal note."""
    who, contact = _participant(request)
    ticket = _ticket(who, ticket_id)
    if contact is not None:
        if not payload.public:
            raise HttpError(403, "client contacts cannot write internal notes")
        event = services.reply(ticket, payload.body, by=who.user, by_contact=contact)
    else:
        event = services.reply(ticket, payload.body, by=who.user, public=payload.public)
    return Answer(201, event)


@router.post("/tickets/{ticket_id}/plan", response={201: EventOut})
def give_plan(request: HttpRequest, ticket_id: ObjectId, payload: PlanIn) -> Answer[TicketEvent]:
    """Tell the client the resolution plan (answers the plan clock)."""
    who = _staff_writer(request)
    return Answer(201, services.give_plan(_ticket(who, ticket_id), payload.body, by=who.user))


@router.get("/tickets/{ticket_id}/events", response=list[EventOut])
@paginate(LimitOffsetPagination)
def list_events(request: HttpRequest, ticket_id: ObjectId) -> QuerySet[TicketEvent]:
    """The timeline, oldest first; client contacts see public events only."""
    who = _reader(request)
    return visible_events(who.user, _ticket(who, ticket_id)).order_by("at", "pk")


# --- Workflow -----------------------------------------------------------------------------------


@router.post("/tickets/{ticket_id}/status", response=TicketOut)
def change_status(request: HttpRequest, ticket_id: ObjectId, payload: StatusIn) -> Ticket:
    """Move along the workflow; waiting statuses need a reason (and may pause the SLA)."""
    who = _staff_writer(request)
    ticket = _ticket(who, ticket_id)
    services.change_status(ticket, payload.status, by=who.user, reason=payload.reason)
    return _ticket(who, ticket.pk)


@router.post("/tickets/{ticket_id}/assign", response=TicketOut)
def assign(request: HttpRequest, ticket_id: ObjectId, payload: AssignIn) -> Ticket:
    """Give the ticket to a technician, or take it back with ``assignee_id: null``."""
    who = _staff_writer(request)
    ticket = _ticket(who, ticket_id)
    assignee = None
    if payload.assignee_id is not None:
        assignee = User.objects.visible_to(who.user).filter(pk=payload.assignee_id).first()
        if assignee is None:
            raise HttpError(422, "assignee_id: no such user")
    with fields_renamed({"assignee": "assignee_id"}):
        services.assign(ticket, assignee, by=who.user)
    return _ticket(who, ticket.pk)


@router.post("/tickets/{ticket_id}/priority", response=TicketOut)
def set_priority(request: HttpRequest, ticket_id: ObjectId, payload: PriorityIn) -> Ticket:
    """Override the matrix priority (with a reason), or restore it."""
    who = _staff_writer(request)
    ticket = _ticket(who, ticket_id)
    with fields_renamed({"priority_reason": "reason"}):
        services.set_priority(ticket, payload.priority, reason=payload.reason, by=who.user)
    return _ticket(who, ticket.pk)


# --- Watchers, links, merge ---------------------------------------------------------------------


@router.get("/tickets/{ticket_id}/watchers", response=list[UserRef])
def list_watchers(request: HttpRequest, ticket_id: ObjectId) -> list[User]:
    who = _reader(request)
    return list(_ticket(who, ticket_id).watchers.order_by("username"))


@router.post("/tickets/{ticket_id}/watchers", response={201: list[UserRef]})
def add_watcher(request: HttpRequest, ticket_id: ObjectId, payload: WatcherIn) -> Answer[Any]:
    who = _staff_writer(request)
    ticket = _ticket(who, ticket_id)
    user = User.objects.visible_to(who.user).filter(pk=payload.user_id).first()
    if user is None:
        raise HttpError(422, "user_id: no such user")
    with fields_renamed({"user": "user_id"}):
        services.add_watcher(ticket, user, by=who.user)
    return Answer(201, list(ticket.watchers.order_by("username")))


@router.delete("/tickets/{ticket_id}/watchers/{user_id}", response={204: None})
def remove_watcher(request: HttpRequest, ticket_id: ObjectId, user_id: ObjectId) -> Answer[None]:
    who = _staff_writer(request)
    ticket = _ticket(who, ticket_id)
    user = get_object_or_404(ticket.watchers.all(), pk=user_id)
    services.remove_watcher(ticket, user, by=who.user)
    return Answer(204, None)


@router.get("/tickets/{ticket_id}/links", response=list[LinkOut])
def list_links(request: HttpRequest, ticket_id: ObjectId) -> list[TicketLink]:
    who = _reader(request)
    return list(TicketLink.objects.visible_to(who.user).filter(ticket=_ticket(who, ticket_id)))


@router.post("/tickets/{ticket_id}/links", response={201: LinkOut})
def link(request: HttpRequest, ticket_id: ObjectId, payload: LinkIn) -> Answer[TicketLink]:
    """Link to another ticket of the same client (``target_id``), or to an asset or alert by
    ``reference``."""
    who = _staff_writer(request)
    ticket = _ticket(who, ticket_id)
    target = None
    if payload.target_id is not None:
        target = Ticket.objects.visible_to(who.user).filter(pk=payload.target_id).first()
        if target is None:
            raise HttpError(422, "target_id: no such ticket")
    with fields_renamed({"target": "target_id"}):
        made = services.link(
            ticket, payload.kind, target=target, reference=payload.reference, by=who.user
        )
    return Answer(201, made)


@router.post("/tickets/{ticket_id}/merge", response=TicketOut)
def merge(request: HttpRequest, ticket_id: ObjectId, payload: MergeIn) -> Ticket:
    """Merge this ticket into ``into_id``; answers the surviving ticket."""
    who = _staff_writer(request)
    duplicate = _ticket(who, ticket_id)
    into = Ticket.objects.visible_to(who.user).filter(pk=payload.into_id).first()
    if into is None:
        raise HttpError(422, "into_id: no such ticket")
    with fields_renamed({"into": "into_id"}):
        services.merge(duplicate, into, by=who.user)
    return _ticket(who, into.pk)


# --- Attachments --------------------------------------------------------------------------------


@router.get("/tickets/{ticket_id}/attachments", response=list[AttachmentOut])
def list_attachments(request: HttpRequest, ticket_id: ObjectId) -> list[Attachment]:
    who = _reader(request)
    ticket = _ticket(who, ticket_id)
    return list(visible_attachments(who.user).filter(ticket=ticket))


def _own_event(who: Principal, contact: Contact | None, ticket: Ticket, event_id: int) -> Any:
    """An event of ``ticket`` that the caller wrote, to hang attachments on."""
    rows = ticket.events.filter(pk=event_id)
    rows = rows.filter(actor_contact=contact) if contact else rows.filter(actor=who.user)
    event = rows.first()
    if event is None:
        raise HttpError(422, "event_id: no such event of yours on this ticket")
    return event


@router.post("/tickets/{ticket_id}/attachments", response={201: list[AttachmentOut]})
def upload(
    request: HttpRequest,
    ticket_id: ObjectId,
    # Optional in the signature so a missing file is refused after the ticket lookup (another
    # client's ticket is a 404 whatever the body), with a 422 naming the field.
    file: File[list[UploadedFile] | None] = None,
    event_id: Form[ObjectId | None] = None,
) -> Answer[list[Attachment]]:
    """Attach files (multipart, field ``file``, repeatable). With ``event_id`` they hang on
    that reply of yours; client contacts must name one (their reply is public)."""
    who, contact = _participant(request)
    ticket = _ticket(who, ticket_id)
    if not file:
        raise HttpError(422, "file: attach at least one file")
    if contact is not None and event_id is None:
        raise HttpError(422, "event_id: client contacts attach files to one of their replies")
    event = _own_event(who, contact, ticket, event_id) if event_id is not None else None
    # All or none: one file over the limit attaches none of them (the error names it).
    with transaction.atomic():
        made = [
            services.add_attachment(
                ticket, upload.name or "attachment", upload.read(), by=who.user, event=event
            )
            for upload in file
        ]
    return Answer(201, made)


@router.get("/attachments/{attachment_id}/download", response={200: None})
def download(request: HttpRequest, attachment_id: ObjectId) -> HttpResponse:
    """The file's bytes, as an attachment, with the type sniffed when it was stored."""
    who = _reader(request)
    attachment = get_object_or_404(visible_attachments(who.user), pk=attachment_id)
    return attachment_response(attachment)


def attachment_response(attachment: Attachment) -> HttpResponse:
    """A download that a browser never renders inline or second-guesses the type of."""
    response = HttpResponse(
        services.read_attachment(attachment), content_type=attachment.content_type
    )
    response["Content-Disposition"] = (
        content_disposition_header(True, attachment.filename) or "attachment"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
