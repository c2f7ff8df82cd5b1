"""Obligations (promises with a measure, a target and a period) and their stored evaluations."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone as dj_tz

from steward.obligations.choices import Category, Comparator, PeriodKind, Status
from steward.obligations.periods import Period
from steward.obligations.registry import MeasureParamsError, UnknownMeasure, registry
from steward.tenancy.scoping import ClientScopedQuerySet


class VendorProgram(models.Model):
    """A vendor's partner program the MSP belongs to (e.g. a Microsoft or Veeam tier).

    Minimal for now: the alignment app, which owns vendor-program alignment, comes later and may
    take this model over. Obligations owed to a program are MSP-internal.
    """

    name = models.CharField(max_length=200, unique=True)
    vendor = models.CharField(max_length=200)
    tier = models.CharField(max_length=100, blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(default=dj_tz.now, editable=False)

    timezone = "UTC"  # programs run on UTC periods; clients use their own zone

    class Meta:
        ordering = ["vendor", "name"]

    def __str__(self) -> str:
        return f"{self.vendor} {self.name}".strip()


class ObligationQuerySet(ClientScopedQuerySet):
    msp_wide = Q(vendor_program__isnull=False)  # owed to a vendor, shown to staff


class Obligation(models.Model):
    """A promise owed to a client or a vendor program: "``measure`` ``comparator`` ``target``
    every ``period_kind``", with the contract clause it comes from."""

    client = models.ForeignKey(
        "tenancy.Client",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="obligations",
    )
    vendor_program = models.ForeignKey(
        VendorProgram,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="obligations",
    )
    agreement = models.ForeignKey(
        "agreements.Agreement",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="obligations",
        help_text="The agreement this obligation comes from, when there is one",
    )
    name = models.CharField(max_length=200)
    category = models.CharField(max_length=32, choices=Category.choices)
    measure_key = models.CharField(max_length=100, db_index=True)
    params = models.JSONField(default=dict, blank=True)
    comparator = models.CharField(max_length=2, choices=Comparator.choices, default=Comparator.GTE)
    target = models.DecimalField(max_digits=14, decimal_places=4)
    at_risk_margin = models.DecimalField(
        max_digits=14,
        decimal_places=4,
        default=0,
        help_text="A met value this close to the target counts as at risk",
    )
    period_kind = models.CharField(
        max_length=10, choices=PeriodKind.choices, default=PeriodKind.MONTHLY
    )
    source_clause = models.TextField(blank=True, help_text="The contract text this comes from")
    source_reference = models.CharField(
        max_length=200, blank=True, help_text="Where: e.g. 'MSA §4.2' or 'SOW-2026-01 Annex B'"
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=dj_tz.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ObligationQuerySet.as_manager()

    class Meta:
        ordering = ["client_id", "category", "name"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(client__isnull=False, vendor_program__isnull=True)
                    | Q(client__isnull=True, vendor_program__isnull=False)
                ),
                name="obligation_owed_to_exactly_one_counterparty",
            )
        ]

    def __str__(self) -> str:
        return f"{self.counterparty}: {self.name}"

    @property
    def counterparty(self) -> Any:
        return self.client if self.client_id is not None else self.vendor_program

    @property
    def timezone(self) -> str:
        """The zone the obligation's periods are cut in: the client's, else UTC."""
        return str(getattr(self.counterparty, "timezone", "UTC") or "UTC")

    def period_for(self, period: Period) -> Period:
        return period.as_kind(self.period_kind)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if (self.client_id is None) == (self.vendor_program_id is None):
            errors["client"] = "an obligation is owed to exactly one client or vendor program"
        try:
            if self.measure_key is not None:  # None is reported by the field check
                registry.get(self.measure_key).resolve_params(self.params)
        except UnknownMeasure as exc:
            errors["measure_key"] = str(exc)
        except MeasureParamsError as exc:
            errors["params"] = str(exc)
        if self.agreement_id is not None:
            # Look the client up by id: a dangling id is reported by the field check already.
            agreements = apps.get_model("agreements", "Agreement").objects
            owner = (
                agreements.filter(pk=self.agreement_id).values_list("client_id", flat=True).first()
            )
            if owner is not None and owner != self.client_id:
                errors["agreement"] = "the agreement belongs to another client"
        if self.at_risk_margin is not None and self.at_risk_margin < 0:
            errors["at_risk_margin"] = "must not be negative"
        if errors:
            raise ValidationError(errors)


class Evaluation(models.Model):
    """The result of one obligation for one period: value, status, evidence.

    Target, comparator, margin and unit are copied at evaluation time and ``inputs`` keeps what
    the measure used, so a stored result explains itself after the obligation or a policy
    changes. ``final`` rows (evaluated after the period closed) are never recomputed unless an
    operator asks explicitly (``--recompute-closed``).
    """

    obligation = models.ForeignKey(Obligation, on_delete=models.CASCADE, related_name="evaluations")
    client = models.ForeignKey(
        "tenancy.Client",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Copied from the obligation for scoping and portfolio queries",
    )
    period = models.CharField(max_length=8)
    period_start = models.DateField()
    value = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices)
    comparator = models.CharField(max_length=2, choices=Comparator.choices)
    target = models.DecimalField(max_digits=14, decimal_places=4)
    at_risk_margin = models.DecimalField(max_digits=14, decimal_places=4, default=0)
    unit = models.CharField(max_length=20, blank=True)
    measure_key = models.CharField(max_length=100)
    inputs = models.JSONField(default=dict, blank=True)
    evidence = models.JSONField(default=list, blank=True)
    note = models.TextField(blank=True)
    final = models.BooleanField(default=False)
    evaluated_at = models.DateTimeField()

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        ordering = ["obligation_id", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["obligation", "period"], name="evaluation_unique_per_period"
            )
        ]
        indexes = [models.Index(fields=["client", "period"], name="evaluation_client_period")]

    def __str__(self) -> str:
        return f"{self.obligation_id} {self.period}: {self.status}"
