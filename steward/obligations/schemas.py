from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from steward.obligations.choices import Category, Comparator, PeriodKind


class ObligationIn(Schema):
    client_id: int | None = None
    vendor_program_id: int | None = None
    agreement_id: int | None = None
    name: str = Field(max_length=200)
    category: Category
    measure_key: str
    params: dict[str, Any] = {}
    comparator: Comparator = Comparator.GTE
    target: Decimal
    at_risk_margin: Decimal = Decimal(0)
    period_kind: PeriodKind = PeriodKind.MONTHLY
    source_clause: str = ""
    source_reference: str = ""
    active: bool = True


class ObligationPatch(Schema):
    agreement_id: int | None = None
    name: str | None = Field(None, max_length=200)
    category: Category | None = None
    measure_key: str | None = None
    params: dict[str, Any] | None = None
    comparator: Comparator | None = None
    target: Decimal | None = None
    at_risk_margin: Decimal | None = None
    period_kind: PeriodKind | None = None
    source_clause: str | None = None
    source_reference: str | None = None
    active: bool | None = None


class ObligationOut(Schema):
    id: int
    client_id: int | None
    vendor_program_id: int | None
    agreement_id: int | None
    name: str
    category: str
    measure_key: str
    params: dict[str, Any]
    comparator: str
    target: Decimal
    at_risk_margin: Decimal
    period_kind: str
    source_clause: str
    source_reference: str
    active: bool
    created_at: datetime
    updated_at: datetime


class ObligationFilter(Schema):
    client_id: int | None = None
    vendor_program_id: int | None = None
    category: Category | None = None
    active: bool | None = None


class EvidenceOut(Schema):
    label: str
    url: str = ""
    ref: str = ""


class TrendPointOut(Schema):
    period: str
    value: Decimal | None
    status: str


class ScoreLineOut(Schema):
    obligation_id: int
    name: str
    measure_key: str
    period: str
    unit: str
    status: str
    value: Decimal | None
    target: Decimal
    comparator: str
    final: bool
    note: str
    evaluated_at: datetime | None
    source_reference: str
    evidence: list[EvidenceOut]
    trend: list[TrendPointOut]


class AreaOut(Schema):
    category: str
    number: int
    label: str
    status: str | None
    obligations: list[ScoreLineOut]


class ScorecardOut(Schema):
    client_id: int
    client: str
    period: str
    period_label: str
    areas: list[AreaOut]


class PortfolioAreaOut(Schema):
    category: str
    number: int
    status: str | None


class PortfolioRowOut(Schema):
    client_id: int
    client: str
    code: str
    status: str | None
    areas: list[PortfolioAreaOut]


class PortfolioOut(Schema):
    period: str
    clients: list[PortfolioRowOut]


class MeasureOut(Schema):
    key: str
    name: str
    unit: str
    category: str
    description: str
    params: dict[str, Any]
    fallback: bool
