"""Tickets under /api/v1/: the list with its filters, open, read, change, and the actions of a
ticket's life (replies, plan, status, assignment, priority, watchers, links, merge,
attachments), each through a service verb.

Every lookup starts at ``Ticket.objects.visible_to(user)``, so another client's ticket is a 404.
Client contacts open tickets for their own client, reply, and read public events only; the
rest is for MSP staff who may work tickets (``may_work``).
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import File, Form, Query, Router
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status as Answer

from steward.agreements.api.common import fields_renamed
from steward.agreements.models import ServiceCategory
from steward.api.auth import Principal, require
from steward.api.params import ObjectId
from steward.api.rows import fetch_by_pk, format_times
from steward.servicedesk import services
from steward.servicedesk.choices import Source
from steward.servicedesk.models import Attachment, Queue, Ticket, TicketEvent, TicketLink
from steward.servicedesk.queries import (
    attachment_response,
    contact_of,
    finish_ticket,
    may_work,
    newest_page,
    ticket_values,
    visible_attachments,
    visible_events,
    visible_tickets,
)
from steward.servicedesk.schemas import (
    AssignIn,
    AttachmentOut,
    EventOut,
    LinkIn,
    LinkOut,
    MergeIn,
    PagedTicketOut,
    PageParams,
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
from steward.tenancy.choices import TokenScope
from steward.tenancy.models import Client, Contact, Site, User
from steward.tenancy.roles import VIEW_CLIENTS
from steward.tenancy.scoping import is_active_staff

router = Router()

TICKET_FIELDS = tuple(TicketOut.model_fields)
TICKET_TIMES = tuple(
    name for name, field in TicketOut.model_fields.items() if "datetime" in str(field.annotation)
)
STAFF_ONLY_FILTERS = ("assignee_id", "unassigned", "mine", "queue_id")

# --- Who may do what ----------------------------------------------------------------------------


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


def _ticket(who: Principal, ticket_id: int) -> Ticket:
    return get_object_or_404(visible_tickets(who.user), pk=ticket_id)


# --- List, open, read, change -------------------------------------------------------------------


def _ticket_out(who: Principal, ticket_id: int) -> dict[str, Any]:
    rows = ticket_values(Ticket.objects.visible_to(who.user), TicketOut.model_fields)
    return finish_ticket(get_object_or_404(rows, pk=ticket_id))


def _ticket_rows(ids: list[int]) -> QuerySet[Any]:
    return ticket_values(Ticket.objects.filter(pk__in=ids), TICKET_FIELDS)


# The list is the hottest read of the service desk (p99 under 100 ms over 100,000 tickets),
# so like /clients it skips ninja's per-row validation: the filters and the order pick the
# page's ids on narrow index entries, then ``fetch_by_pk`` reads those tickets with
# ``ticket_values`` (TicketOut's fields and types) through SQL compiled once, without Django's
# per-value converters. The JSON is what ``@paginate(LimitOffsetPagination)`` would send.
@router.get("/tickets", response=PagedTicketOut)
def list_tickets(
    request: HttpRequest, filters: Query[TicketFilters], page: Query[PageParams]
) -> HttpResponse:
    """Tickets the caller may see, newest first. Client contacts see their client's tickets
    and may not use the staff filters (assignee, queue, mine, unassigned)."""
    who = _reader(request)
    given = filters.dict(exclude_none=True)
    if not is_active_staff(who.user):
        used = [name for name in STAFF_ONLY_FILTERS if name in given]
        if used:
            raise HttpError(403, f"{used[0]}: a filter for MSP staff")
    try:
        ids, count = newest_page(who.user, given, timezone.now(), page.offset, page.limit)
    except ValidationError as exc:  # a bad choice in a query parameter, named
        raise HttpError(
            422, "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
        ) from None
    # The ids are of tickets the caller sees: reading them back needs no further filter.
    items = [finish_ticket(row) for row in fetch_by_pk("tickets", _ticket_rows, ids)]
    # steward.api.main imports this module to mount the router; by request time it is loaded.
    from steward.api.main import api

    body = {"items": format_times(items, TICKET_TIMES), "count": count}
    return api.create_response(request, body, status=200)


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
    if found is None and ref.isascii() and ref.isdigit() and len(ref) < 19:
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
def open_ticket(request: HttpRequest, payload: TicketIn) -> Answer[dict[str, Any]]:
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
    return Answer(201, _ticket_out(who, ticket.pk))


@router.get("/tickets/{ticket_id}", response=TicketOut)
def get_ticket(request: HttpRequest, ticket_id: ObjectId) -> dict[str, Any]:
    return _ticket_out(_reader(request), ticket_id)


@router.patch("/tickets/{ticket_id}", response=TicketOut)
def update_ticket(
    request: HttpRequest, ticket_id: ObjectId, payload: TicketPatch
) -> dict[str, Any]:
    who = _staff_writer(request)
    ticket = _ticket(who, ticket_id)
    changes = payload.dict(exclude_unset=True)
    for name in ("subject", "kind", "impact", "urgency", "description"):
        if name in changes and changes[name] is None:
            raise HttpError(422, f"{name}: may not be null")
    changes |= _related(who, ticket.client, changes)
    with fields_renamed({"site": "site_id", "requester": "requester_id", "queue": "queue_id"}):
        services.update_ticket(ticket, changes, by=who.user)
    return _ticket_out(who, ticket.pk)


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
def change_status(request: HttpRequest, ticket_id: ObjectId, payload: StatusIn) -> dict[str, Any]:
    """Move along the workflow; waiting statuses need a reason (and may pause the SLA)."""
    who = _staff_writer(request)
    ticket = _ticket(who, ticket_id)
    services.change_status(ticket, payload.status, by=who.user, reason=payload.reason)
    return _ticket_out(who, ticket.pk)


@router.post("/tickets/{ticket_id}/assign", response=TicketOut)
def assign(request: HttpRequest, ticket_id: ObjectId, payload: AssignIn) -> dict[str, Any]:
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
    return _ticket_out(who, ticket.pk)


@router.post("/tickets/{ticket_id}/priority", response=TicketOut)
def set_priority(request: HttpRequest, ticket_id: ObjectId, payload: PriorityIn) -> dict[str, Any]:
    """Override the matrix priority (with a reason), or restore it."""
    who = _staff_writer(request)
    ticket = _ticket(who, ticket_id)
    with fields_renamed({"priority_reason": "reason"}):
        services.set_priority(ticket, payload.priority, reason=payload.reason, by=who.user)
    return _ticket_out(who, ticket.pk)


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
def merge(request: HttpRequest, ticket_id: ObjectId, payload: MergeIn) -> dict[str, Any]:
    """Merge this ticket into ``into_id``; answers the surviving ticket."""
    who = _staff_writer(request)
    duplicate = _ticket(who, ticket_id)
    into = Ticket.objects.visible_to(who.user).filter(pk=payload.into_id).first()
    if into is None:
        raise HttpError(422, "into_id: no such ticket")
    with fields_renamed({"into": "into_id"}):
        services.merge(duplicate, into, by=who.user)
    return _ticket_out(who, into.pk)


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
