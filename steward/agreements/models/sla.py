"""SLA policies and their per-priority targets, versioned so history never changes.

An agreement has one chain of policy versions. Editing a policy (``services.update_sla_policy``)
never rewrites a row: it closes the current version (``effective_until = now``) and adds the
next version with new targets. A ticket, report or scorecard for a past instant asks
``policy_in_effect(agreement, at)`` and gets the terms that held then, so changing a policy
never rewrites the history of closed periods.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone as dj_tz

from steward.agreements.choices import PausableStatus, Priority
from steward.tenancy.scoping import ClientScopedQuerySet

PERCENT = {
    "max_digits": 5,
    "decimal_places": 2,
    "validators": [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
}


def validate_pause_statuses(value: Any) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError("must be a list of status codes")
    unknown = [v for v in value if v not in PausableStatus.values]
    if unknown:
        allowed = ", ".join(PausableStatus.values)
        raise ValidationError(f"unknown status {unknown[0]!r} (allowed: {allowed})")
    if len(set(value)) != len(value):
        raise ValidationError("a status is listed twice")


class SlaPolicy(models.Model):
    """One version of an agreement's SLA policy: calendar, warning threshold, pause statuses
    and service credits. In effect from ``effective_from`` until ``effective_until`` (open-ended
    while it is the current version)."""

    client = models.ForeignKey("tenancy.Client", on_delete=models.CASCADE, related_name="+")
    agreement = models.ForeignKey(
        "agreements.Agreement", on_delete=models.CASCADE, related_name="sla_policies"
    )
    version = models.PositiveIntegerField(default=1)
    name = models.CharField(max_length=200)
    # RESTRICT, not PROTECT: a calendar in use cannot be deleted on its own, but deleting the
    # client removes its calendars together with the policies that use them.
    calendar = models.ForeignKey(
        "agreements.BusinessCalendar", on_delete=models.RESTRICT, related_name="sla_policies"
    )
    warning_percent = models.PositiveSmallIntegerField(
        default=75, validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    pause_statuses = models.JSONField(
        default=list, blank=True, validators=[validate_pause_statuses]
    )
    credit_percent = models.DecimalField(default=Decimal(0), **PERCENT)  # type: ignore[arg-type]
    credit_cap_percent = models.DecimalField(default=Decimal(0), **PERCENT)  # type: ignore[arg-type]
    effective_from = models.DateTimeField(default=dj_tz.now, db_index=True)
    effective_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=dj_tz.now, editable=False)

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        ordering = ["agreement_id", "-version"]
        verbose_name = "SLA policy"
        verbose_name_plural = "SLA policies"
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "version"], name="sla_policy_version_unique"
            ),
            # One current version per agreement: the chain has a single open end.
            models.UniqueConstraint(
                fields=["agreement"],
                condition=Q(effective_until__isnull=True),
                name="sla_policy_one_current_per_agreement",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def is_current(self) -> bool:
        return self.effective_until is None

    def clean(self) -> None:
        if self.credit_cap_percent < self.credit_percent and self.credit_cap_percent != 0:
            raise ValidationError(
                {"credit_cap_percent": "the cap is below the credit of a single breach"}
            )
        if self.agreement_id is not None and self.agreement.client_id != self.client_id:
            raise ValidationError({"agreement": "the agreement belongs to another client"})
        if self.calendar_id is not None and self.calendar.client_id not in (None, self.client_id):
            raise ValidationError({"calendar": "the calendar belongs to another client"})


class SlaTarget(models.Model):
    """Response and resolution targets (business seconds) for one priority of one policy
    version, optionally on another calendar (e.g. P1 on 24x7)."""

    client = models.ForeignKey("tenancy.Client", on_delete=models.CASCADE, related_name="+")
    policy = models.ForeignKey(SlaPolicy, on_delete=models.CASCADE, related_name="targets")
    priority = models.CharField(max_length=2, choices=Priority.choices)
    response_seconds = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    resolution_seconds = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    plan_seconds = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Optional: business seconds to give a resolution plan",
    )
    calendar = models.ForeignKey(
        "agreements.BusinessCalendar",
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="sla_targets",
        help_text="Overrides the policy's calendar for this priority",
    )

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        ordering = ["policy_id", "priority"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "priority"], name="sla_target_one_per_priority"
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.priority}: respond {self.response_seconds}s, resolve {self.resolution_seconds}s"
        )

    def clean(self) -> None:
        if (
            self.response_seconds is not None
            and self.resolution_seconds is not None
            and self.resolution_seconds < self.response_seconds
        ):
            raise ValidationError(
                {"resolution_seconds": "the resolution target is shorter than the response target"}
            )
        calendar = self.calendar if self.calendar_id is not None else None
        if calendar is not None and calendar.client_id not in (None, self.client_id):
            raise ValidationError({"calendar": "the calendar belongs to another client"})
