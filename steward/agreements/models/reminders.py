"""Reminders of approaching deadlines (notice deadlines, expiries, license renewals)."""

from __future__ import annotations

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone as dj_tz

from steward.agreements.choices import ReminderKind
from steward.tenancy.scoping import ClientScopedQuerySet


class Reminder(models.Model):
    """ "``subject`` has a deadline on ``due_date``, ``threshold`` days away when raised".

    Raised by the daily job at 90, 60 and 30 days before the deadline; the unique constraint on
    subject, threshold and deadline makes raising idempotent (a re-run adds nothing), while a
    moved deadline (a renewal, an edited notice period) gets reminders of its own.
    """

    client = models.ForeignKey("tenancy.Client", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30, choices=ReminderKind.choices)
    subject_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    subject_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")
    due_date = models.DateField(help_text="The deadline the reminder is about")
    threshold = models.PositiveSmallIntegerField(help_text="Days before the deadline")
    created_at = models.DateTimeField(default=dj_tz.now, editable=False)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        "tenancy.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "threshold", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id", "threshold", "due_date"],
                name="reminder_once_per_subject_threshold_deadline",
            )
        ]
        indexes = [
            models.Index(
                fields=["due_date"], condition=Q(acknowledged_at__isnull=True), name="reminder_open"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.due_date} ({self.threshold} days)"
