"""Licenses and subscriptions the MSP resells or manages for a client."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone as dj_tz

from steward.agreements.choices import AssignmentStatus
from steward.agreements.models.agreements import MONEY, currency_code, validate_contract_date
from steward.tenancy.scoping import ClientScopedQuerySet


class License(models.Model):
    """A license or subscription (vendor, product, seats) with its term and prices.

    ``assigned_seats`` is how many seats are in use; it is set by the ``set_assigned_seats``
    service verb (by hand today, by an inventory sync later). More assigned than bought is
    over-assignment (a compliance risk); fewer is under-assignment (paying for unused seats).
    """

    client = models.ForeignKey("tenancy.Client", on_delete=models.CASCADE, related_name="licenses")
    agreement = models.ForeignKey(
        "agreements.Agreement",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="licenses",
    )
    vendor = models.CharField(max_length=100)
    product = models.CharField(max_length=200)
    seats = models.PositiveIntegerField(default=1)
    assigned_seats = models.PositiveIntegerField(default=0)
    start_date = models.DateField(validators=[validate_contract_date])
    end_date = models.DateField(validators=[validate_contract_date])
    auto_renew = models.BooleanField(default=True)
    unit_cost = models.DecimalField(default=Decimal(0), **MONEY)  # type: ignore[arg-type]
    unit_price = models.DecimalField(default=Decimal(0), **MONEY)  # type: ignore[arg-type]
    currency = models.CharField(max_length=3, default="EUR", validators=[currency_code])
    created_at = models.DateTimeField(default=dj_tz.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        ordering = ["client_id", "vendor", "product"]

    def __str__(self) -> str:
        return f"{self.vendor} {self.product}"

    @property
    def assignment_status(self) -> str:
        if self.assigned_seats > self.seats:
            return AssignmentStatus.OVER
        if self.assigned_seats < self.seats:
            return AssignmentStatus.UNDER
        return AssignmentStatus.OK

    @property
    def over_assigned(self) -> bool:
        return self.assignment_status == AssignmentStatus.OVER

    @property
    def under_assigned(self) -> bool:
        return self.assignment_status == AssignmentStatus.UNDER

    @property
    def seat_difference(self) -> int:
        """Assigned minus bought: positive when over-assigned, negative when under."""
        return self.assigned_seats - self.seats

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "the end date is before the start date"})
        agreement = self.agreement if self.agreement_id is not None else None
        if agreement is not None and agreement.client_id != self.client_id:
            raise ValidationError({"agreement": "the agreement belongs to another client"})
