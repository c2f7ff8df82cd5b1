"""Work on tickets: time entries and running timers, recurring preventive tickets, and
satisfaction surveys."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone as dj_tz

from steward.servicedesk.choices import Priority, TicketKind, WorkType
from steward.tenancy.scoping import ClientScopedQuerySet


class TimeEntry(models.Model):
    """Time a technician worked on a ticket."""

    client = models.ForeignKey("tenancy.Client", on_delete=models.CASCADE, related_name="+")
    ticket = models.ForeignKey(
        "servicedesk.Ticket", on_delete=models.CASCADE, related_name="time_entries"
    )
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="time_entries"
    )
    started_at = models.DateTimeField()
    duration_seconds = models.PositiveIntegerField(
        validators=[MinValueValidator(60), MaxValueValidator(24 * 3600)]
    )
    work_type = models.CharField(max_length=20, choices=WorkType.choices, default=WorkType.REMOTE)
    billable = models.BooleanField(default=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(default=dj_tz.now, editable=False)

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name_plural = "time entries"
        indexes = [models.Index(fields=["technician", "started_at"], name="time_entry_tech_start")]

    def __str__(self) -> str:
        return f"{self.technician} on #{self.ticket_id}: {self.duration_seconds // 60} min"


class Timer(models.Model):
    """A running timer: one per technician; stopping it writes a time entry."""

    client = models.ForeignKey("tenancy.Client", on_delete=models.CASCADE, related_name="+")
    technician = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="running_timer"
    )
    ticket = models.ForeignKey("servicedesk.Ticket", on_delete=models.CASCADE, related_name="+")
    started_at = models.DateTimeField(default=dj_tz.now)

    objects = ClientScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.technician} on #{self.ticket_id} since {self.started_at:%H:%M}"


class RecurringTicket(models.Model):
    """A preventive ticket opened on a schedule of the agreement (RFC 5545 RRULE in the
    client's time zone), created ``lead_days`` ahead of each occurrence."""

    client = models.ForeignKey("tenancy.Client", on_delete=models.CASCADE, related_name="+")
    agreement = models.ForeignKey(
        "agreements.Agreement", on_delete=models.CASCADE, related_name="recurring_tickets"
    )
    subject = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    kind = models.CharField(
        max_length=20, choices=TicketKind.choices, default=TicketKind.SERVICE_REQUEST
    )
    priority = models.CharField(max_length=2, choices=Priority.choices, default=Priority.P3)
    category = models.ForeignKey(
        "agreements.ServiceCategory", null=True, blank=True, on_delete=models.SET_NULL
    )
    rrule = models.CharField(max_length=500, help_text="e.g. FREQ=MONTHLY;BYMONTHDAY=1")
    dtstart = models.DateTimeField(help_text="First occurrence")
    lead_days = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)
    # The next occurrence still to be created; claimed by compare-and-set.
    next_occurrence_at = models.DateTimeField(null=True, blank=True)
    last_occurrence_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=dj_tz.now, editable=False)

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        ordering = ["client_id", "subject"]
        indexes = [
            models.Index(
                fields=["next_occurrence_at"],
                condition=Q(active=True),
                name="recurring_next_occurrence",
            )
        ]

    def __str__(self) -> str:
        return self.subject


class Survey(models.Model):
    """The satisfaction survey sent when a ticket is resolved: 1 to 5 and a comment."""

    client = models.ForeignKey("tenancy.Client", on_delete=models.CASCADE, related_name="+")
    ticket = models.OneToOneField(
        "servicedesk.Ticket", on_delete=models.CASCADE, related_name="survey"
    )
    contact = models.ForeignKey(
        "tenancy.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(default=dj_tz.now)
    rating = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at"]
        indexes = [models.Index(fields=["client", "sent_at"], name="survey_client_sent")]

    def __str__(self) -> str:
        return f"Survey for #{self.ticket_id}"
