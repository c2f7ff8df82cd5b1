"""API shapes for agreements: <Thing>In for create, <Thing>Patch for partial update, <Thing>Out."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from ninja import Schema
from pydantic import ConfigDict, Field

from steward.agreements.choices import HourPeriod, PausableStatus, PaymentTerms, Priority
from steward.agreements.models import (
    Agreement,
    License,
    Reminder,
    ServiceCategory,
    ServiceOffering,
    SlaPolicy,
    SlaTarget,
    StatementOfWork,
)
from steward.api.params import ObjectId

Money = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]
Percent = Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2)]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code")]
Count = Annotated[int, Field(ge=0, le=10_000_000)]
Seconds = Annotated[int, Field(ge=1, le=10 * 365 * 86_400)]

# --- Catalog ------------------------------------------------------------------------------------


class CategoryIn(Schema):
    code: str = Field(min_length=1, max_length=50, pattern=r"^[-a-zA-Z0-9_]+$")
    name: str = Field(min_length=1, max_length=200)


class CategoryOut(Schema):
    id: int
    code: str
    name: str


class OfferingIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    active: bool = True
    categories: list[CategoryIn] = []


class OfferingOut(Schema):
    id: int
    name: str
    description: str
    active: bool
    categories: list[CategoryOut]

    @staticmethod
    def resolve_categories(obj: ServiceOffering) -> list[ServiceCategory]:
        return list(obj.categories.all())


# --- Agreements ---------------------------------------------------------------------------------


class AgreementIn(Schema):
    client_id: ObjectId
    reference: str = Field(min_length=1, max_length=100)
    title: str = Field(default="", max_length=200)
    start_date: date
    term_months: int = Field(default=12, ge=1, le=1200)
    auto_renew: bool = True
    notice_days: int = Field(default=90, ge=0, le=3660)
    payment_terms: PaymentTerms = PaymentTerms.NET_30
    currency: Currency = "EUR"
    timezone: str | None = Field(default=None, max_length=64, description="Default: the client's")
    notes: str = ""


class AgreementPatch(Schema):
    reference: str | None = Field(default=None, min_length=1, max_length=100)
    title: str | None = Field(default=None, max_length=200)
    start_date: date | None = None
    term_months: int | None = Field(default=None, ge=1, le=1200)
    auto_renew: bool | None = None
    notice_days: int | None = Field(default=None, ge=0, le=3660)
    payment_terms: PaymentTerms | None = None
    currency: Currency | None = None
    timezone: str | None = Field(default=None, max_length=64)
    notes: str | None = None


class TermDatesOut(Schema):
    today: date
    term_number: int
    term_start: date
    term_end: date
    renewal_date: date | None
    notice_deadline: date | None
    upcoming_notice_deadline: date | None
    expired: bool


class AgreementOut(Schema):
    id: int
    client_id: int
    reference: str
    title: str
    start_date: date
    term_months: int
    auto_renew: bool
    notice_days: int
    payment_terms: str
    currency: str
    timezone: str
    notes: str
    dates: TermDatesOut
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_dates(obj: Agreement) -> dict[str, Any]:
        """As of today in the agreement's governing time zone."""
        today = obj.today()
        return {
            **vars(obj.dates(today)),
            "today": today,
            "upcoming_notice_deadline": obj.upcoming_notice_deadline(today),
        }


# --- Statements of work -------------------------------------------------------------------------


class SowIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    included_offering_ids: list[ObjectId] = []
    excluded_offering_ids: list[ObjectId] = []
    device_count: Count = 0
    user_count: Count = 0
    hours_per_period: Annotated[Decimal, Field(ge=0, max_digits=8, decimal_places=2)] = Decimal(0)
    hour_period: HourPeriod = HourPeriod.MONTHLY
    monthly_fee: Money = Decimal(0)
    one_off_fee: Money = Decimal(0)
    start_date: date
    end_date: date | None = None


class SowPatch(Schema):
    title: str | None = Field(default=None, min_length=1, max_length=200)
    included_offering_ids: list[ObjectId] | None = None
    excluded_offering_ids: list[ObjectId] | None = None
    device_count: Count | None = None
    user_count: Count | None = None
    hours_per_period: Annotated[Decimal, Field(ge=0, max_digits=8, decimal_places=2)] | None = None
    hour_period: HourPeriod | None = None
    monthly_fee: Money | None = None
    one_off_fee: Money | None = None
    start_date: date | None = None
    end_date: date | None = None


class SowOut(Schema):
    id: int
    client_id: int
    agreement_id: int
    title: str
    included_offering_ids: list[int]
    excluded_offering_ids: list[int]
    device_count: int
    user_count: int
    hours_per_period: Decimal
    hour_period: str
    monthly_fee: Decimal
    one_off_fee: Decimal
    currency: str
    start_date: date
    end_date: date | None

    @staticmethod
    def resolve_included_offering_ids(obj: StatementOfWork) -> list[int]:
        return sorted(o.pk for o in obj.included_offerings.all())

    @staticmethod
    def resolve_excluded_offering_ids(obj: StatementOfWork) -> list[int]:
        return sorted(o.pk for o in obj.excluded_offerings.all())


# --- Licenses -----------------------------------------------------------------------------------


class LicenseIn(Schema):
    client_id: ObjectId
    agreement_id: ObjectId | None = None
    vendor: str = Field(min_length=1, max_length=100)
    product: str = Field(min_length=1, max_length=200)
    seats: Count = 1
    assigned_seats: Count = 0
    start_date: date
    end_date: date
    auto_renew: bool = True
    unit_cost: Money = Decimal(0)
    unit_price: Money = Decimal(0)
    currency: Currency = "EUR"


class LicensePatch(Schema):
    vendor: str | None = Field(default=None, min_length=1, max_length=100)
    product: str | None = Field(default=None, min_length=1, max_length=200)
    seats: Count | None = None
    start_date: date | None = None
    end_date: date | None = None
    auto_renew: bool | None = None
    unit_cost: Money | None = None
    unit_price: Money | None = None
    currency: Currency | None = None


class SeatsIn(Schema):
    assigned_seats: Count


class LicenseOut(Schema):
    id: int
    client_id: int
    agreement_id: int | None
    vendor: str
    product: str
    seats: int
    assigned_seats: int
    assignment_status: str
    seat_difference: int
    over_assigned: bool
    under_assigned: bool
    start_date: date
    end_date: date
    auto_renew: bool
    unit_cost: Decimal | None = Field(description="The MSP's cost; hidden from client contacts")
    unit_price: Decimal
    currency: str

    @staticmethod
    def resolve_unit_cost(obj: License, context: dict[str, Any]) -> Decimal | None:
        user = getattr(context.get("request"), "auth", None)
        user = getattr(user, "user", None)
        if user is None or getattr(user, "is_client_contact", True):
            return None
        return obj.unit_cost


# --- Calendars ----------------------------------------------------------------------------------


class CalendarIn(Schema):
    """The calendar's JSON form (docs/business-time.md), plus ``client_id`` (empty: MSP-wide).
    Fields are checked by the calendar parser, whose errors name the field path."""

    model_config = ConfigDict(extra="allow")

    client_id: ObjectId | None = None
    name: Any = None
    timezone: Any = None
    hours: Any = None
    holidays: Any = None
    closures: Any = None
    extra_days: Any = None


class CalendarOut(Schema):
    id: int
    client_id: int | None
    name: str
    timezone: str
    spec: dict[str, Any]
    created_at: datetime
    updated_at: datetime


class DueOut(Schema):
    due: str = Field(description="ISO 8601 with the calendar zone's offset")


class BetweenOut(Schema):
    seconds: int


# --- SLA policies -------------------------------------------------------------------------------


class TargetIn(Schema):
    priority: Priority
    response_seconds: Seconds
    resolution_seconds: Seconds
    plan_seconds: Seconds | None = None
    calendar_id: ObjectId | None = None


class TargetOut(Schema):
    priority: str
    response_seconds: int
    resolution_seconds: int
    plan_seconds: int | None
    calendar_id: int | None


class SlaPolicyIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    calendar_id: ObjectId
    warning_percent: int = Field(default=75, ge=1, le=99)
    pause_statuses: list[PausableStatus] = []
    credit_percent: Percent = Decimal(0)
    credit_cap_percent: Percent = Decimal(0)
    targets: list[TargetIn] = []


class SlaPolicyOut(Schema):
    id: int
    client_id: int
    agreement_id: int
    version: int
    name: str
    calendar_id: int
    warning_percent: int
    pause_statuses: list[str]
    credit_percent: Decimal
    credit_cap_percent: Decimal
    effective_from: datetime
    effective_until: datetime | None
    targets: list[TargetOut]

    @staticmethod
    def resolve_targets(obj: SlaPolicy) -> list[SlaTarget]:
        return list(obj.targets.all())


# --- Reminders ----------------------------------------------------------------------------------


class ReminderOut(Schema):
    id: int
    client_id: int
    kind: str
    subject_type: str
    subject_id: int
    subject: str
    due_date: date
    threshold: int
    created_at: datetime
    acknowledged_at: datetime | None

    @staticmethod
    def resolve_subject_type(obj: Reminder) -> str:
        return obj.subject_type.model

    @staticmethod
    def resolve_subject(obj: Reminder) -> str:
        return str(obj.subject) if obj.subject is not None else ""
