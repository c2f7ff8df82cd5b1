"""Report schedules, stored report versions and their deliveries."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone as dj_tz

from steward.reporting.choices import DeliveryStatus, Paper, Trigger
from steward.tenancy.scoping import ClientScopedQuerySet

MAX_BUSINESS_DAY = 20


class ReportSchedule(models.Model):
    """When a client's monthly service report goes out: the Nth business day of the month at
    HH:MM in the client's time zone, on the client's business calendar, to chosen contacts.

    ``next_run_at`` is the next send instant (UTC); the delivery job claims due schedules by
    compare-and-set on it, so several workers never run one slot twice.
    """

    client = models.OneToOneField(
        "tenancy.Client", on_delete=models.CASCADE, related_name="report_schedule"
    )
    business_day = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_BUSINESS_DAY)],
        help_text="Send on this business day of the month (1 = the first)",
    )
    send_time = models.TimeField(default="08:00", help_text="Local time in the client's zone")
    calendar = models.ForeignKey(
        "agreements.BusinessCalendar",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Business days to count; empty: the calendar of the client's SLA policy",
    )
    contacts = models.ManyToManyField("tenancy.Contact", blank=True, related_name="+")
    paper = models.CharField(max_length=10, choices=Paper.choices, default=Paper.A4)
    enabled = models.BooleanField(default=True)
    next_run_at = models.DateTimeField(null=True, blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=dj_tz.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        ordering = ["client_id"]
        indexes = [
            # The delivery job's scan: enabled schedules by their next instant only.
            models.Index(
                fields=["next_run_at"],
                condition=Q(enabled=True, next_run_at__isnull=False),
                name="report_schedule_due",
            )
        ]

    def __str__(self) -> str:
        return f"Report schedule of client {self.client_id}"

    def clean(self) -> None:
        calendar = self.calendar if self.calendar_id is not None else None
        if calendar is not None and calendar.client_id not in (None, self.client_id):
            raise ValidationError({"calendar": "the calendar belongs to another client"})


class StoredReport(models.Model):
    """One generated version of a client's report for a month, kept as the PDF that was (or
    will be) sent. The PDF lives in the database: every web node and worker reads it without
    shared storage, and backups include it. Versions count up per client and month."""

    client = models.ForeignKey("tenancy.Client", on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=7, help_text="YYYY-MM")
    version = models.PositiveIntegerField()
    paper = models.CharField(max_length=10, choices=Paper.choices, default=Paper.A4)
    trigger = models.CharField(max_length=10, choices=Trigger.choices, default=Trigger.MANUAL)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    pdf = models.BinaryField()
    generated_at = models.DateTimeField(default=dj_tz.now)
    generated_by = models.ForeignKey(
        "tenancy.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        ordering = ["client_id", "-period", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "period", "version"], name="stored_report_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"Report {self.period} v{self.version} of client {self.client_id}"

    @property
    def filename(self) -> str:
        return f"service-report-{self.period}-v{self.version}.pdf"


class ReportDelivery(models.Model):
    """One stored report mailed to one contact: when it was due, when it went, on time or not.
    A failed send is retried from ``next_attempt_at`` (claimed by compare-and-set on
    ``attempts``) until it goes or ``MAX_ATTEMPTS`` is reached."""

    client = models.ForeignKey("tenancy.Client", on_delete=models.CASCADE, related_name="+")
    report = models.ForeignKey(StoredReport, on_delete=models.CASCADE, related_name="deliveries")
    contact = models.ForeignKey(
        "tenancy.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    email = models.EmailField(help_text="The address used, kept when the contact changes")
    trigger = models.CharField(max_length=10, choices=Trigger.choices, default=Trigger.SCHEDULE)
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    due_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    on_time = models.BooleanField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=dj_tz.now)

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "report deliveries"
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(next_attempt_at__isnull=False),
                name="report_delivery_retry",
            ),
            models.Index(fields=["client", "status"], name="report_delivery_client"),
        ]

    def __str__(self) -> str:
        return f"Delivery of report {self.report_id} to {self.email}"
