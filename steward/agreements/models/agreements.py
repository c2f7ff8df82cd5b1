"""Managed services agreements (MSAs) and the statements of work under them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone as dj_tz

from steward.agreements.choices import HourPeriod, PaymentTerms
from steward.agreements.renewals import TermDates, Terms, term_dates, upcoming_notice_deadline
from steward.tenancy.models import validate_timezone
from steward.tenancy.scoping import ClientScopedQuerySet

currency_code = RegexValidator(r"^[A-Z]{3}$", "an ISO 4217 code of three capital letters")


def validate_contract_date(value: date) -> None:
    """Dates of contracts stay within 1900-2999, so term arithmetic can never overflow."""
    if not 1900 <= value.year <= 2999:
        raise ValidationError("the year must be between 1900 and 2999")


MONEY = {"max_digits": 12, "decimal_places": 2, "validators": [MinValueValidator(Decimal(0))]}


class Agreement(models.Model):
    """A client's master services agreement: term, renewal, notice, payment terms, currency and
    the time zone its dates are read in. Renewal and notice dates are derived (renewals.py)."""

    client = models.ForeignKey(
        "tenancy.Client", on_delete=models.CASCADE, related_name="agreements"
    )
    reference = models.CharField(max_length=100, help_text="The contract's own reference")
    title = models.CharField(max_length=200, blank=True)
    start_date = models.DateField(validators=[validate_contract_date])
    term_months = models.PositiveIntegerField(
        default=12, validators=[MinValueValidator(1), MaxValueValidator(1200)]
    )
    auto_renew = models.BooleanField(default=True)
    notice_days = models.PositiveIntegerField(
        default=90,
        validators=[MaxValueValidator(3660)],
        help_text="Notice needed before the term ends to stop a renewal",
    )
    payment_terms = models.CharField(
        max_length=20, choices=PaymentTerms.choices, default=PaymentTerms.NET_30
    )
    currency = models.CharField(max_length=3, default="EUR", validators=[currency_code])
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(default=dj_tz.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        ordering = ["client_id", "start_date", "reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "reference"], name="agreement_reference_unique_per_client"
            )
        ]

    def __str__(self) -> str:
        return f"MSA {self.reference}"

    @property
    def terms(self) -> Terms:
        return Terms(self.start_date, self.term_months, self.auto_renew, self.notice_days)

    def today(self, now: datetime | None = None) -> date:
        """The date in the agreement's governing time zone at ``now`` (default: the clock)."""
        return (now or dj_tz.now()).astimezone(ZoneInfo(self.timezone)).date()

    def dates(self, today: date) -> TermDates:
        return term_dates(self.terms, today)

    def upcoming_notice_deadline(self, today: date) -> date | None:
        return upcoming_notice_deadline(self.terms, today)


class StatementOfWork(models.Model):
    """A statement of work under an agreement: scope (offerings included and excluded), what is
    covered (devices, users, hour blocks) and the fees."""

    client = models.ForeignKey("tenancy.Client", on_delete=models.CASCADE, related_name="sows")
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="sows")
    title = models.CharField(max_length=200)
    included_offerings = models.ManyToManyField(
        "agreements.ServiceOffering", blank=True, related_name="included_in"
    )
    excluded_offerings: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        "agreements.ServiceOffering", blank=True, related_name="excluded_from"
    )
    device_count = models.PositiveIntegerField(default=0)
    user_count = models.PositiveIntegerField(default=0)
    hours_per_period = models.DecimalField(
        max_digits=8, decimal_places=2, default=Decimal(0), validators=[MinValueValidator(0)]
    )
    hour_period = models.CharField(
        max_length=20, choices=HourPeriod.choices, default=HourPeriod.MONTHLY
    )
    monthly_fee = models.DecimalField(default=Decimal(0), **MONEY)  # type: ignore[arg-type]
    one_off_fee = models.DecimalField(default=Decimal(0), **MONEY)  # type: ignore[arg-type]
    start_date = models.DateField(validators=[validate_contract_date])
    end_date = models.DateField(null=True, blank=True, validators=[validate_contract_date])
    created_at = models.DateTimeField(default=dj_tz.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        ordering = ["agreement_id", "start_date", "title"]
        verbose_name = "statement of work"
        verbose_name_plural = "statements of work"

    def __str__(self) -> str:
        return f"SOW {self.title}"

    @property
    def currency(self) -> str:
        return self.agreement.currency

    def clean(self) -> None:
        if self.end_date is not None and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "the end date is before the start date"})
        if self.agreement_id is not None and self.client_id != self.agreement.client_id:
            raise ValidationError({"agreement": "the agreement belongs to another client"})
