"""Tickets and their timeline: every change is an event, and the SLA clocks are computed from
the events (``steward.servicedesk.sla``), then stored in columns for lists, filters and the
escalation job."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone as dj_tz

from steward.servicedesk.choices import (
    EventKind,
    Impact,
    LinkKind,
    Priority,
    Source,
    Status,
    TicketKind,
    Urgency,
)
from steward.tenancy.scoping import ClientScopedQuerySet

OPEN_Q = ~Q(status__in=[Status.RESOLVED, Status.CLOSED])


class TicketQuerySet(ClientScopedQuerySet):
    def open(self) -> TicketQuerySet:
        return self.filter(OPEN_Q)  # type: ignore[return-value]


class Ticket(models.Model):
    """A request or incident of one client, worked to resolution under the SLA of the client's
    agreement. The number shown to people (``#1234``) is the primary key."""

    client = models.ForeignKey("tenancy.Client", on_delete=models.CASCADE, related_name="tickets")
    site = models.ForeignKey(
        "tenancy.Site", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    agreement = models.ForeignKey(
        "agreements.Agreement",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    requester = models.ForeignKey(
        "tenancy.Contact",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    kind = models.CharField(max_length=20, choices=TicketKind.choices, default=TicketKind.INCIDENT)
    subject = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    impact = models.CharField(max_length=10, choices=Impact.choices, default=Impact.LOW)
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.MEDIUM)
    priority = models.CharField(max_length=2, choices=Priority.choices, default=Priority.P4)
    priority_reason = models.CharField(
        max_length=255, blank=True, help_text="Why the priority differs from the matrix"
    )
    category = models.ForeignKey(
        "agreements.ServiceCategory",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    in_scope = models.BooleanField(
        null=True, blank=True, help_text="Whether the category is covered by a current SOW"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.STAFF)
    queue = models.ForeignKey(
        "servicedesk.Queue",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
    )
    watchers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="watched_tickets"
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_tickets"
    )
    external_ref = models.CharField(
        max_length=100, blank=True, db_index=True, help_text="Number in the system it came from"
    )
    reopen_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=dj_tz.now, db_index=True)
    updated_at = models.DateTimeField(default=dj_tz.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    # SLA state, derived from the event log by ``services.sla.refresh_sla`` (never edited).
    sla_policy = models.ForeignKey(
        "agreements.SlaPolicy",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    response_due_at = models.DateTimeField(null=True, blank=True)
    plan_due_at = models.DateTimeField(null=True, blank=True)
    resolution_due_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    planned_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    response_met = models.BooleanField(null=True, blank=True)
    plan_met = models.BooleanField(null=True, blank=True)
    resolution_met = models.BooleanField(null=True, blank=True)
    business_seconds_to_response = models.PositiveIntegerField(null=True, blank=True)
    business_seconds_to_resolution = models.PositiveIntegerField(null=True, blank=True)
    paused_business_seconds = models.PositiveIntegerField(default=0)
    sla_paused = models.BooleanField(default=False)
    sla_warning_at = models.DateTimeField(null=True, blank=True)
    # The next instant the escalation job must act on: the earliest warning or breach not
    # announced yet (``sla.next_deadline``), which may be past when an action moved it there.
    # Claimed by compare-and-set, so several workers never announce one deadline twice.
    next_deadline_at = models.DateTimeField(null=True, blank=True)
    next_deadline_kind = models.CharField(max_length=24, blank=True)
    # Deadline kinds announced (or settled as history by an import or a recompute): each kind
    # is announced once per ticket.
    sla_announced = models.JSONField(default=list, blank=True)

    objects = TicketQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["next_deadline_at"],
                condition=Q(next_deadline_at__isnull=False),
                name="ticket_next_deadline",
            ),
            models.Index(fields=["client", "status"], name="ticket_client_status"),
            models.Index(fields=["client", "created_at"], name="ticket_client_created"),
            models.Index(fields=["status", "priority"], name="ticket_status_priority"),
            models.Index(fields=["assignee", "status"], name="ticket_assignee_status"),
            models.Index(fields=["resolved_at"], name="ticket_resolved_at"),
            # The "breached" filter of lists and the dispatch board: a small slice of the table.
            models.Index(
                fields=["created_at"],
                condition=Q(response_met=False) | Q(resolution_met=False),
                name="ticket_breached_created",
            ),
        ]
        constraints = [
            # An imported ticket's number in the system it came from, once per client, even
            # when two imports run at once.
            models.UniqueConstraint(
                fields=["client", "external_ref"],
                condition=~Q(external_ref=""),
                name="ticket_external_ref_unique_per_client",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"

    @property
    def number(self) -> str:
        return f"#{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status not in (Status.RESOLVED, Status.CLOSED)

    @property
    def breached(self) -> bool:
        return self.response_met is False or self.resolution_met is False


class TicketEvent(models.Model):
    """One entry of a ticket's timeline: creation, status change, reply, note, assignment,
    SLA warning… Replies and notes carry their text here. Append-only."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    client = models.ForeignKey("tenancy.Client", on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(default=dj_tz.now)
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_contact = models.ForeignKey(
        "tenancy.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_value = models.CharField(max_length=100, blank=True)
    to_value = models.CharField(max_length=100, blank=True)
    body = models.TextField(blank=True)
    public = models.BooleanField(default=False)
    data = models.JSONField(default=dict, blank=True)

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["ticket", "at"], name="ticket_event_ticket_at")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} at {self.at:%Y-%m-%d %H:%M}"

    @property
    def by_staff(self) -> bool:
        return self.actor_id is not None and self.actor_contact_id is None

    @property
    def author(self) -> str:
        if self.actor_contact_id is not None and self.actor_contact is not None:
            return str(self.actor_contact)
        if self.actor is not None:
            return self.actor.get_full_name() or self.actor.get_username()
        return str(self.data.get("from", "Steward"))


class TicketLink(models.Model):
    """A link from a ticket to another ticket, or to an asset or alert (by reference until the
    monitoring app gives them tables)."""

    client = models.ForeignKey("tenancy.Client", on_delete=models.CASCADE, related_name="+")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links")
    kind = models.CharField(max_length=20, choices=LinkKind.choices)
    target = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.CASCADE, related_name="linked_from"
    )
    reference = models.CharField(max_length=200, blank=True, help_text="Asset or alert id")
    created_at = models.DateTimeField(default=dj_tz.now)

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(target__isnull=False) | ~Q(reference=""),
                name="ticket_link_has_target",
            )
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} {self.target_id or self.reference}"


class Attachment(models.Model):
    """A file attached to a ticket, stored under MEDIA_ROOT/attachments by content hash."""

    client = models.ForeignKey("tenancy.Client", on_delete=models.CASCADE, related_name="+")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    event = models.ForeignKey(
        TicketEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=dj_tz.now)

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.filename
