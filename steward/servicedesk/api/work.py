"""Time entries and timers, recurring preventive tickets, and satisfaction surveys.

Time is for MSP staff only: client contacts get 403 on every time route. Other tenants'
objects are 404, as missing ones.
"""

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status
from pydantic import AwareDatetime, Field

from steward.agreements.models import Agreement, ServiceCategory
from steward.api.auth import Principal, require
from steward.api.params import ObjectId
from steward.servicedesk.choices import Priority, TicketKind, WorkType
from steward.servicedesk.models import RecurringTicket, Survey, Ticket, TimeEntry
from steward.servicedesk.services import recurring, work
from steward.tenancy.choices import TokenScope
from steward.tenancy.models import User
from steward.tenancy.roles import CHANGE_CLIENTS, VIEW_CLIENTS
from steward.tenancy.scoping import is_active_staff

router = Router()

Notes = Field(default="", max_length=10_000)
Duration = Field(ge=60, le=24 * 3600, description="Seconds, 1 minute to 24 hours")


def _staff(request: HttpRequest, scope: str) -> Principal:
    return _only_staff(require(request, scope=scope), scope)


def _only_staff(who: Principal, scope: str) -> Principal:
    """403 for client contacts (and, for writes, auditors). Routes naming an object look it up
    first, so another tenant's object is a 404 whoever asks."""
    if not is_active_staff(who.user):
        raise HttpError(403, "time entries are for MSP staff only")
    if scope == TokenScope.WRITE and not work.may_log_time(who.user):
        raise HttpError(403, "your role does not log time")
    return who


def _ticket(who: Principal, ticket_id: int) -> Ticket:
    return get_object_or_404(Ticket.objects.visible_to(who.user), pk=ticket_id)


# --- Time entries -------------------------------------------------------------------------------


class TimeEntryIn(Schema):
    started_at: AwareDatetime
    duration_seconds: int = Duration
    work_type: WorkType = WorkType.REMOTE
    billable: bool = True
    notes: str = Notes
    technician_id: ObjectId | None = Field(
        default=None, description="Managers log for others; default: yourself"
    )


class TimeEntryPatch(Schema):
    started_at: AwareDatetime | None = None
    duration_seconds: int | None = Field(default=None, ge=60, le=24 * 3600)
    work_type: WorkType | None = None
    billable: bool | None = None
    notes: str | None = Field(default=None, max_length=10_000)


class TimeEntryOut(Schema):
    id: int
    ticket_id: int
    client_id: int
    technician_id: int
    technician: str
    started_at: datetime
    duration_seconds: int
    work_type: WorkType
    billable: bool
    notes: str
    created_at: datetime

    @staticmethod
    def resolve_technician(obj: TimeEntry) -> str:
        return obj.technician.get_username()


def _entries(who: Principal) -> QuerySet[TimeEntry]:
    return TimeEntry.objects.visible_to(who.user).select_related("technician")


@router.get("/tickets/{ticket_id}/time", response=list[TimeEntryOut])
@paginate(LimitOffsetPagination)
def list_ticket_time(request: HttpRequest, ticket_id: ObjectId) -> QuerySet[TimeEntry]:
    who = require(request, scope=TokenScope.READ)
    ticket = _ticket(who, ticket_id)
    _only_staff(who, TokenScope.READ)
    return _entries(who).filter(ticket=ticket).order_by("-started_at", "-pk")


@router.post("/tickets/{ticket_id}/time", response={201: TimeEntryOut})
def log_ticket_time(
    request: HttpRequest, ticket_id: ObjectId, payload: TimeEntryIn
) -> Status[TimeEntry]:
    who = require(request, scope=TokenScope.WRITE)
    ticket = _ticket(who, ticket_id)
    _only_staff(who, TokenScope.WRITE)
    fields = payload.dict()
    technician = who.user
    other = fields.pop("technician_id")
    if other is not None and other != who.user.pk:
        if not work.is_manager(who.user):
            raise HttpError(403, "only managers log time for another technician")
        technician = User.objects.visible_to(who.user).filter(pk=other).first()
        if technician is None:
            raise HttpError(422, "technician_id: no such user")
    entry = work.log_time(ticket, technician, by=who.user, **fields)
    return Status(201, entry)


@router.patch("/time/{time_entry_id}", response=TimeEntryOut)
def update_time(
    request: HttpRequest, time_entry_id: ObjectId, payload: TimeEntryPatch
) -> TimeEntry:
    who = require(request, scope=TokenScope.WRITE)
    entry = get_object_or_404(_entries(who).select_related("ticket"), pk=time_entry_id)
    _only_staff(who, TokenScope.WRITE)
    changes = payload.dict(exclude_unset=True)
    for name in ("started_at", "duration_seconds", "work_type", "billable", "notes"):
        if name in changes and changes[name] is None:
            raise HttpError(422, f"{name}: cannot be null")
    try:
        return work.update_time_entry(entry, changes, by=who.user)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from None


@router.delete("/time/{time_entry_id}", response={204: None})
def delete_time(request: HttpRequest, time_entry_id: ObjectId) -> Status[None]:
    who = require(request, scope=TokenScope.WRITE)
    entry = get_object_or_404(_entries(who).select_related("ticket"), pk=time_entry_id)
    _only_staff(who, TokenScope.WRITE)
    try:
        work.delete_time_entry(entry, by=who.user)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from None
    return Status(204, None)


@router.get("/time", response=list[TimeEntryOut])
@paginate(LimitOffsetPagination)
def list_time(
    request: HttpRequest,
    technician_id: ObjectId | None = None,
    client_id: ObjectId | None = None,
    since: AwareDatetime | None = None,
    until: AwareDatetime | None = None,
) -> QuerySet[TimeEntry]:
    """Entries by start time: ``since`` inclusive, ``until`` exclusive."""
    who = _staff(request, TokenScope.READ)
    rows = _entries(who).order_by("-started_at", "-pk")
    if technician_id:
        rows = rows.filter(technician_id=technician_id)
    if client_id:
        rows = rows.filter(client_id=client_id)
    if since:
        rows = rows.filter(started_at__gte=since)
    if until:
        rows = rows.filter(started_at__lt=until)
    return rows


# --- Timer --------------------------------------------------------------------------------------


class TimerStartIn(Schema):
    ticket_id: ObjectId


class TimerOut(Schema):
    running: bool
    ticket_id: int | None = None
    started_at: datetime | None = None
    elapsed_seconds: int = 0


def _timer_out(who: Principal) -> dict[str, Any]:
    timer = work.running_timer(who.user)
    if timer is None:
        return {"running": False}
    elapsed = int((timezone.now() - timer.started_at).total_seconds())
    return {
        "running": True,
        "ticket_id": timer.ticket_id,
        "started_at": timer.started_at,
        "elapsed_seconds": max(elapsed, 0),
    }


@router.get("/timer", response=TimerOut)
def get_timer(request: HttpRequest) -> dict[str, Any]:
    return _timer_out(_staff(request, TokenScope.READ))


@router.post("/timer/start", response=TimerOut)
def start_timer(request: HttpRequest, payload: TimerStartIn) -> dict[str, Any]:
    who = require(request, scope=TokenScope.WRITE)
    ticket = _ticket(who, payload.ticket_id)
    work.start_timer(_only_staff(who, TokenScope.WRITE).user, ticket)
    return _timer_out(who)


@router.post("/timer/stop", response={200: TimeEntryOut, 409: dict[str, str]})
def stop_timer(request: HttpRequest) -> Any:
    who = _staff(request, TokenScope.WRITE)
    if work.running_timer(who.user) is None:
        return Status(409, {"detail": "no timer is running"})
    return work.stop_timer(who.user)


# --- Recurring tickets --------------------------------------------------------------------------


class RecurringIn(Schema):
    subject: str = Field(min_length=1, max_length=230)
    description: str = Field(default="", max_length=10_000)
    kind: TicketKind = TicketKind.SERVICE_REQUEST
    priority: Priority = Priority.P3
    category_id: ObjectId | None = None
    rrule: str = Field(min_length=1, max_length=500, examples=["FREQ=MONTHLY;BYDAY=1MO"])
    dtstart: AwareDatetime
    lead_days: int = Field(default=0, ge=0, le=recurring.MAX_LEAD_DAYS)
    active: bool = True


class RecurringPatch(Schema):
    subject: str | None = Field(default=None, min_length=1, max_length=230)
    description: str | None = Field(default=None, max_length=10_000)
    kind: TicketKind | None = None
    priority: Priority | None = None
    category_id: ObjectId | None = None
    rrule: str | None = Field(default=None, min_length=1, max_length=500)
    dtstart: AwareDatetime | None = None
    lead_days: int | None = Field(default=None, ge=0, le=recurring.MAX_LEAD_DAYS)
    active: bool | None = None


class RecurringOut(Schema):
    id: int
    client_id: int
    agreement_id: int
    subject: str
    description: str
    kind: TicketKind
    priority: Priority
    category_id: int | None
    rrule: str
    dtstart: datetime
    lead_days: int
    active: bool
    next_occurrence_at: datetime | None
    last_occurrence_at: datetime | None


def _category(fields: dict[str, Any]) -> None:
    if "category_id" in fields:
        pk = fields.pop("category_id")
        fields["category"] = None if pk is None else ServiceCategory.objects.filter(pk=pk).first()
        if pk is not None and fields["category"] is None:
            raise HttpError(422, "category_id: no such service category")


def _rule(who: Principal, recurring_ticket_id: int) -> RecurringTicket:
    rows = RecurringTicket.objects.visible_to(who.user).select_related("client")
    return get_object_or_404(rows, pk=recurring_ticket_id)


def _reader(request: HttpRequest) -> Principal:
    return require(request, scope=TokenScope.READ, permission=VIEW_CLIENTS)


def _writer(request: HttpRequest) -> Principal:
    return require(request, scope=TokenScope.WRITE, permission=CHANGE_CLIENTS)


@router.get("/agreements/{agreement_id}/recurring-tickets", response=list[RecurringOut])
@paginate(LimitOffsetPagination)
def list_recurring(request: HttpRequest, agreement_id: ObjectId) -> QuerySet[RecurringTicket]:
    who = _reader(request)
    agreement = get_object_or_404(Agreement.objects.visible_to(who.user), pk=agreement_id)
    return agreement.recurring_tickets.order_by("subject", "pk")


@router.post("/agreements/{agreement_id}/recurring-tickets", response={201: RecurringOut})
def create_recurring(
    request: HttpRequest, agreement_id: ObjectId, payload: RecurringIn
) -> Status[RecurringTicket]:
    who = _writer(request)
    rows = Agreement.objects.visible_to(who.user).select_related("client")
    agreement = get_object_or_404(rows, pk=agreement_id)
    fields = payload.dict()
    _category(fields)
    return Status(201, recurring.create_recurring(agreement, **fields))


@router.get("/recurring-tickets/{recurring_ticket_id}", response=RecurringOut)
def get_recurring(request: HttpRequest, recurring_ticket_id: ObjectId) -> RecurringTicket:
    return _rule(_reader(request), recurring_ticket_id)


@router.patch("/recurring-tickets/{recurring_ticket_id}", response=RecurringOut)
def update_recurring(
    request: HttpRequest, recurring_ticket_id: ObjectId, payload: RecurringPatch
) -> RecurringTicket:
    row = _rule(_writer(request), recurring_ticket_id)
    changes = payload.dict(exclude_unset=True)
    for name, value in changes.items():
        if value is None and name not in ("category_id",):
            raise HttpError(422, f"{name}: cannot be null")
    _category(changes)
    return recurring.update_recurring(row, changes)


@router.delete("/recurring-tickets/{recurring_ticket_id}", response={204: None})
def deactivate_recurring(request: HttpRequest, recurring_ticket_id: ObjectId) -> Status[None]:
    """Deactivates the schedule (tickets already opened stay)."""
    recurring.deactivate_recurring(_rule(_writer(request), recurring_ticket_id))
    return Status(204, None)


# --- Surveys ------------------------------------------------------------------------------------


class SurveyOut(Schema):
    id: int
    ticket_id: int
    client_id: int
    contact_id: int | None
    technician_id: int | None
    sent_at: datetime
    rating: int | None
    comment: str
    answered_at: datetime | None


@router.get("/tickets/{ticket_id}/survey", response=SurveyOut | None)
def get_ticket_survey(request: HttpRequest, ticket_id: ObjectId) -> Survey | None:
    """The ticket's survey; null while it has none (not resolved yet, or nobody to ask)."""
    who = _reader(request)
    ticket = _ticket(who, ticket_id)
    return Survey.objects.visible_to(who.user).filter(ticket=ticket).first()


@router.get("/surveys", response=list[SurveyOut])
@paginate(LimitOffsetPagination)
def list_surveys(
    request: HttpRequest,
    client_id: ObjectId | None = None,
    technician_id: ObjectId | None = None,
    since: AwareDatetime | None = None,
) -> QuerySet[Survey]:
    """Surveys by time sent (``since`` inclusive), newest first."""
    who = _reader(request)
    rows = Survey.objects.visible_to(who.user).order_by("-sent_at", "-pk")
    if client_id:
        rows = rows.filter(client_id=client_id)
    if technician_id:
        rows = rows.filter(technician_id=technician_id)
    if since:
        rows = rows.filter(sent_at__gte=since)
    return rows
