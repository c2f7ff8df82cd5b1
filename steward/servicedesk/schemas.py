"""API shapes for tickets: <Thing>In for create and actions, <Thing>Patch, <Thing>Out."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from ninja import Schema
from pydantic import Field

from steward.agreements.choices import Priority
from steward.api.params import ObjectId
from steward.servicedesk.choices import Impact, LinkKind, Status, TicketKind, Urgency
from steward.servicedesk.models import Attachment, TicketEvent

Text = Annotated[str, Field(max_length=100_000)]
Reason = Annotated[str, Field(max_length=255)]
CategoryRef = Annotated[
    str, Field(min_length=1, max_length=50, description="A service category's code, or its id")
]

# --- Tickets ------------------------------------------------------------------------------------


class TicketIn(Schema):
    """Open a ticket. Client contacts open tickets for their own client only (``client_id`` is
    then optional and ignored) and are the requester."""

    client_id: ObjectId | None = Field(default=None, description="Required for staff")
    subject: str = Field(min_length=1, max_length=255)
    description: Text = ""
    kind: TicketKind = TicketKind.INCIDENT
    impact: Impact = Impact.LOW
    urgency: Urgency = Urgency.MEDIUM
    priority: Priority | None = Field(
        default=None, description="Overrides the impact x urgency matrix; needs priority_reason"
    )
    priority_reason: Reason = ""
    category: CategoryRef | None = None
    site_id: ObjectId | None = None
    requester_id: ObjectId | None = Field(default=None, description="A contact of the client")
    queue_id: ObjectId | None = None


class TicketPatch(Schema):
    """Change what describes the ticket; status, assignee and priority have their own actions.
    A null ``category``, ``site_id``, ``requester_id`` or ``queue_id`` clears it."""

    subject: str | None = Field(default=None, min_length=1, max_length=255)
    description: Text | None = None
    kind: TicketKind | None = None
    impact: Impact | None = None
    urgency: Urgency | None = None
    category: CategoryRef | None = None
    site_id: ObjectId | None = None
    requester_id: ObjectId | None = None
    queue_id: ObjectId | None = None


class TicketOut(Schema):
    """A ticket, as ``api.tickets.ticket_values`` reads it in one query (no per-row work)."""

    id: int
    number: str = Field(description="The number people use: #<id>")
    client_id: int
    client_name: str
    site_id: int | None
    agreement_id: int | None
    requester_id: int | None
    requester_name: str | None
    kind: str
    subject: str
    description: str
    impact: str
    urgency: str
    priority: str
    priority_reason: str
    category_id: int | None
    category_code: str | None
    in_scope: bool | None
    status: str
    is_open: bool
    source: str
    queue_id: int | None
    assignee_id: int | None
    assignee_username: str | None
    merged_into_id: int | None
    external_ref: str
    reopen_count: int
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    # SLA state, kept from the timeline by the service desk (read-only).
    sla_policy_id: int | None
    response_due_at: datetime | None
    plan_due_at: datetime | None
    resolution_due_at: datetime | None
    responded_at: datetime | None
    planned_at: datetime | None
    resolved_at: datetime | None
    response_met: bool | None = Field(description="null while the response clock runs")
    plan_met: bool | None
    resolution_met: bool | None
    business_seconds_to_response: int | None
    business_seconds_to_resolution: int | None
    paused_business_seconds: int
    sla_paused: bool
    sla_warning_at: datetime | None
    next_deadline_at: datetime | None
    next_deadline_kind: str
    breached: bool = Field(description="A response or resolution target was missed")


class PagedTicketOut(Schema):  # the name @paginate would give the page schema
    items: list[TicketOut]
    count: int


class PageParams(Schema):
    # LimitOffsetPagination's defaults and bounds, with a ceiling: a page is read by id.
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0)


# --- Actions ------------------------------------------------------------------------------------


class ReplyIn(Schema):
    body: Text = Field(min_length=1)
    public: bool = Field(
        default=True, description="false: an internal note (staff only; contacts always reply)"
    )


class PlanIn(Schema):
    body: Text = Field(min_length=1)


class StatusIn(Schema):
    status: Status
    reason: str = Field(default="", max_length=1000)


class AssignIn(Schema):
    assignee_id: ObjectId | None = Field(description="A technician's user id; null unassigns")


class PriorityIn(Schema):
    priority: Priority
    reason: Reason = Field(default="", description="Needed when it differs from the matrix")


class WatcherIn(Schema):
    user_id: ObjectId


class LinkIn(Schema):
    kind: LinkKind
    target_id: ObjectId | None = Field(default=None, description="The ticket to link to")
    reference: str = Field(default="", max_length=200, description="An asset's or alert's id")


class MergeIn(Schema):
    into_id: ObjectId = Field(description="The ticket that survives")


# --- Outputs around a ticket --------------------------------------------------------------------


class UserRef(Schema):
    id: int
    username: str
    name: str

    @staticmethod
    def resolve_name(obj: object) -> str:
        full = getattr(obj, "get_full_name", lambda: "")()
        return str(full or getattr(obj, "username", ""))


class LinkOut(Schema):
    id: int
    ticket_id: int
    kind: str
    target_id: int | None
    reference: str
    created_at: datetime


class AttachmentOut(Schema):
    id: int
    ticket_id: int
    event_id: int | None
    filename: str
    content_type: str = Field(description="Sniffed from the bytes, never taken from the sender")
    size: int
    sha256: str
    uploaded_by_id: int | None
    created_at: datetime
    download_url: str

    @staticmethod
    def resolve_download_url(obj: Attachment) -> str:
        return f"/api/v1/attachments/{obj.pk}/download"


class EventOut(Schema):
    id: int
    ticket_id: int
    at: datetime
    kind: str
    public: bool
    actor_id: int | None
    actor_contact_id: int | None
    author: str
    from_value: str
    to_value: str
    body: str
    attachment_ids: list[int]

    @staticmethod
    def resolve_attachment_ids(obj: TicketEvent) -> list[int]:
        return [a.pk for a in obj.attachments.all()]


# --- List filters -------------------------------------------------------------------------------

Choice = Annotated[str, Field(max_length=200)]


class TicketFilters(Schema):
    """Query parameters of the ticket list. ``status`` and ``priority`` repeat
    (``?status=new&status=assigned``) or take a comma list (``?status=new,assigned``)."""

    client_id: ObjectId | None = None
    status: list[Choice] | None = None
    priority: list[Choice] | None = None
    kind: TicketKind | None = None
    assignee_id: ObjectId | None = Field(default=None, description="Staff only")
    unassigned: bool | None = Field(default=None, description="Staff only")
    mine: bool | None = Field(default=None, description="Assigned to me (staff only)")
    queue_id: ObjectId | None = Field(default=None, description="Staff only")
    breached: bool | None = Field(default=None, description="A response or resolution missed")
    open: bool | None = None
    at_risk: bool | None = Field(default=None, description="Open and past its SLA warning")
    created_after: datetime | None = None
    created_before: datetime | None = None
    q: str | None = Field(default=None, max_length=200, description="Subject contains")
