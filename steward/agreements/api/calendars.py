"""Business calendars with their preview endpoints, SLA policies (versioned) and reminders."""

import json
import re
from datetime import datetime
from typing import Annotated, Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status
from pydantic import Field

from steward.agreements import services
from steward.agreements.api.common import client_for, reader, visible, writer
from steward.agreements.models import Agreement, BusinessCalendar, Reminder, SlaPolicy
from steward.agreements.schemas import (
    BetweenOut,
    CalendarIn,
    CalendarOut,
    DueOut,
    ReminderOut,
    SlaPolicyIn,
    SlaPolicyOut,
)
from steward.api.params import ObjectId
from steward.core import businesstime
from steward.core.calendarspec import CalendarError, parse_calendar
from steward.tenancy.models import Client

router = Router()
MAX_PREVIEW_SECONDS = 10 * 365 * 86_400
# A "+" in a query string arrives as a space when the caller did not encode it.
_SPACE_OFFSET = re.compile(r"(T[0-9:.]+) ([0-9]{2}(:?[0-9]{2})?)$")


# --- Calendars ----------------------------------------------------------------------------------


def _calendar_form(request: HttpRequest) -> dict[str, Any]:
    """The JSON form from the body, checked by the parser (422 naming the field path).

    Read from the raw body: the schema only documents the form, and unknown top-level fields
    must reach the parser to be refused by name rather than dropped.
    """
    body = json.loads(request.body)  # valid JSON: ninja has parsed it already
    if not isinstance(body, dict):
        raise NinjaValidationError([{"loc": ["body"], "msg": "the calendar must be an object"}])
    form = {k: v for k, v in body.items() if k != "client_id"}
    try:
        parse_calendar(form)
    except CalendarError as exc:
        raise NinjaValidationError([{"loc": ["body", exc.field], "msg": exc.reason}]) from None
    if not isinstance(form.get("name"), str) or not form["name"].strip():
        raise NinjaValidationError([{"loc": ["body", "name"], "msg": "a calendar needs a name"}])
    return form


@router.get("/calendars", response=list[CalendarOut])
@paginate(LimitOffsetPagination)
def list_calendars(request: HttpRequest, client_id: ObjectId | None = None) -> QuerySet[Any]:
    """Calendars the caller sees; ``client_id`` narrows to one client's plus the MSP-wide."""
    who = reader(request)
    rows = BusinessCalendar.objects.visible_to(who.user).order_by("name", "pk")
    if client_id:
        rows = rows.filter(Q(client_id=client_id) | Q(client__isnull=True))
    return rows


@router.post("/calendars", response={201: CalendarOut})
def create_calendar(request: HttpRequest, payload: CalendarIn) -> Status[BusinessCalendar]:
    who = writer(request)
    client: Client | None = None
    if payload.client_id is not None:
        client = client_for(who, payload.client_id)
    return Status(201, services.create_calendar(_calendar_form(request), client=client))


@router.get("/calendars/{business_calendar_id}", response=CalendarOut)
def get_calendar(request: HttpRequest, business_calendar_id: ObjectId) -> BusinessCalendar:
    return visible(reader(request), BusinessCalendar, business_calendar_id)


@router.put("/calendars/{business_calendar_id}", response=CalendarOut)
def replace_calendar(
    request: HttpRequest, business_calendar_id: ObjectId, payload: CalendarIn
) -> BusinessCalendar:
    """Replace the JSON form (the calendar keeps its client; ``client_id`` is ignored)."""
    calendar = visible(writer(request), BusinessCalendar, business_calendar_id)
    return services.update_calendar(calendar, _calendar_form(request))


@router.delete("/calendars/{business_calendar_id}", response={204: None})
def delete_calendar(request: HttpRequest, business_calendar_id: ObjectId) -> Status[None]:
    calendar = visible(writer(request), BusinessCalendar, business_calendar_id)
    if calendar.sla_policies.exists() or calendar.sla_targets.exists():
        raise HttpError(409, "an SLA policy uses this calendar")
    services.delete_calendar(calendar)
    return Status(204, None)


def parse_instant(text: str, name: str) -> datetime:
    """An ISO 8601 instant from the query string; naive or malformed -> 422 naming ``name``."""
    text = _SPACE_OFFSET.sub(r"\1+\2", text.strip())
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise NinjaValidationError(
            [{"loc": ["query", name], "msg": "not an ISO 8601 date and time"}]
        ) from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise NinjaValidationError(
            [{"loc": ["query", name], "msg": "needs a UTC offset (e.g. Z or +01:00)"}]
        )
    return moment


PreviewSeconds = Annotated[int, Field(ge=0, le=MAX_PREVIEW_SECONDS)]
# Parsed by ``parse_instant`` (not pydantic) so a naive time gets its own message and an
# unencoded "+" in the offset is still understood; documented as date-time all the same.
Instant = Annotated[str, Field(max_length=64, json_schema_extra={"format": "date-time"})]


@router.get("/calendars/{business_calendar_id}/add", response=DueOut)
def preview_add(
    request: HttpRequest, business_calendar_id: ObjectId, start: Instant, seconds: PreviewSeconds
) -> dict[str, str]:
    """The instant ``seconds`` business seconds after ``start``, in the calendar's zone."""
    calendar = visible(reader(request), BusinessCalendar, business_calendar_id)
    moment = parse_instant(start, "start")
    try:
        due = businesstime.add(calendar.calendar_spec(), moment, seconds)
    except (ValueError, OverflowError) as exc:
        raise NinjaValidationError([{"loc": ["query", "seconds"], "msg": str(exc)}]) from None
    return {"due": due.isoformat()}


@router.get("/calendars/{business_calendar_id}/between", response=BetweenOut)
def preview_between(
    request: HttpRequest, business_calendar_id: ObjectId, start: Instant, end: Instant
) -> dict[str, int]:
    """Business seconds in [start, end) (0 when end is not after start)."""
    calendar = visible(reader(request), BusinessCalendar, business_calendar_id)
    first, last = parse_instant(start, "start"), parse_instant(end, "end")
    if abs((last - first).total_seconds()) > MAX_PREVIEW_SECONDS:
        raise NinjaValidationError([{"loc": ["query", "end"], "msg": "at most ten years apart"}])
    try:
        return {"seconds": businesstime.between(calendar.calendar_spec(), first, last)}
    except (ValueError, OverflowError) as exc:
        raise NinjaValidationError([{"loc": ["query", "start"], "msg": str(exc)}]) from None


# --- SLA policies -------------------------------------------------------------------------------


def _policy_fields(who: Any, agreement: Agreement, payload: SlaPolicyIn) -> dict[str, Any]:
    """Resolve calendar ids to calendars the agreement's client may use (422 names the field)."""
    fields = payload.dict()
    usable = BusinessCalendar.objects.visible_to(who.user).filter(
        Q(client__isnull=True) | Q(client_id=agreement.client_id)
    )

    def calendar(pk: int, field: str) -> BusinessCalendar:
        found = usable.filter(pk=pk).first()
        if found is None:
            raise HttpError(422, f"{field}: no such calendar for this client")
        return found

    fields["calendar"] = calendar(fields.pop("calendar_id"), "calendar_id")
    for index, target in enumerate(fields["targets"]):
        pk = target.pop("calendar_id")
        target["calendar"] = calendar(pk, f"targets[{index}].calendar_id") if pk else None
    fields["pause_statuses"] = [str(s) for s in fields["pause_statuses"]]
    return fields


@router.get("/agreements/{agreement_id}/sla-policies", response=list[SlaPolicyOut])
def list_sla_policies(request: HttpRequest, agreement_id: ObjectId) -> QuerySet[SlaPolicy]:
    """Every version of the agreement's SLA policy, newest first."""
    agreement = visible(reader(request), Agreement, agreement_id)
    return agreement.sla_policies.prefetch_related("targets").order_by("-version")


@router.post("/agreements/{agreement_id}/sla-policies", response={201: SlaPolicyOut})
def create_sla_policy(
    request: HttpRequest, agreement_id: ObjectId, payload: SlaPolicyIn
) -> Status[SlaPolicy]:
    who = writer(request)
    agreement = visible(who, Agreement, agreement_id)
    fields = _policy_fields(who, agreement, payload)
    return Status(201, services.create_sla_policy(agreement, **fields))


@router.get("/agreements/{agreement_id}/sla-policy", response=SlaPolicyOut)
def get_policy_in_effect(
    request: HttpRequest, agreement_id: ObjectId, at: Instant | None = None
) -> SlaPolicy:
    """The version in effect at ``at`` (ISO 8601 with offset; default: now)."""
    agreement = visible(reader(request), Agreement, agreement_id)
    moment = parse_instant(at, "at") if at else timezone.now()
    policy = services.policy_in_effect(agreement, moment)
    if policy is None:
        raise HttpError(404, "no SLA policy was in effect at that time")
    return policy


@router.get("/sla-policies/{sla_policy_id}", response=SlaPolicyOut)
def get_sla_policy(request: HttpRequest, sla_policy_id: ObjectId) -> SlaPolicy:
    return visible(reader(request), SlaPolicy, sla_policy_id)


@router.put("/sla-policies/{sla_policy_id}", response=SlaPolicyOut)
def edit_sla_policy(request: HttpRequest, sla_policy_id: ObjectId, payload: SlaPolicyIn) -> Any:
    """Edit the current version: answers the new version; the edited one is closed, not
    changed, so past instants keep their terms."""
    who = writer(request)
    policy = visible(who, SlaPolicy, sla_policy_id, agreement=True)
    fields = _policy_fields(who, policy.agreement, payload)
    targets = fields.pop("targets")
    if policy.effective_until is not None:
        raise HttpError(409, "only the current version of a policy can be edited")
    return services.update_sla_policy(policy, fields, targets=targets)


@router.delete("/sla-policies/{sla_policy_id}", response={204: None})
def retire_sla_policy(request: HttpRequest, sla_policy_id: ObjectId) -> Status[None]:
    """End the current version without a successor (its history stays)."""
    policy = visible(writer(request), SlaPolicy, sla_policy_id)
    if policy.effective_until is not None:
        raise HttpError(409, "this version has already ended")
    services.retire_sla_policy(policy)
    return Status(204, None)


# --- Reminders ----------------------------------------------------------------------------------


@router.get("/reminders", response=list[ReminderOut])
@paginate(LimitOffsetPagination)
def list_reminders(
    request: HttpRequest, client_id: ObjectId | None = None, open: bool | None = None
) -> QuerySet[Reminder]:
    """Reminders by due date; ``open=true`` leaves out acknowledged ones."""
    who = reader(request)
    rows = Reminder.objects.visible_to(who.user).select_related("subject_type")
    rows = rows.prefetch_related("subject")  # one query per subject type, not per row
    if client_id:
        rows = rows.filter(client_id=client_id)
    if open is not None:
        rows = rows.filter(acknowledged_at__isnull=open)
    return rows.order_by("due_date", "threshold", "pk")


@router.post("/reminders/{reminder_id}/acknowledge", response=ReminderOut)
def acknowledge_reminder(request: HttpRequest, reminder_id: ObjectId) -> Reminder:
    who = writer(request)
    return services.acknowledge_reminder(visible(who, Reminder, reminder_id), who.user)
