"""The default obligation set: what a new agreement promises until someone edits it.

One entry per promise, covering all eight areas. Targets follow common MSA practice; each is an
ordinary obligation once created, editable through the API and the UI.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from steward.obligations.choices import Category, Comparator, PeriodKind


@dataclass(frozen=True)
class DefaultObligation:
    name: str
    category: str
    measure_key: str
    target: Decimal
    comparator: str = Comparator.GTE
    at_risk_margin: Decimal = Decimal(0)
    period_kind: str = PeriodKind.MONTHLY
    params: dict[str, Any] = field(default_factory=dict)
    source_clause: str = ""


DEFAULT_OBLIGATIONS: tuple[DefaultObligation, ...] = (
    DefaultObligation(
        "P1 tickets responded to within target",
        Category.SERVICE_DELIVERY,
        "servicedesk.response_attainment",
        Decimal(95),
        at_risk_margin=Decimal(2),
        params={"priority": "P1"},
        source_clause="Priority 1 incidents receive a response within the SLA target in at least "
        "95% of cases each month.",
    ),
    DefaultObligation(
        "Monitoring coverage of managed assets",
        Category.PROACTIVE_MANAGEMENT,
        "monitoring.coverage",
        Decimal(98),
        at_risk_margin=Decimal(1),
        source_clause="At least 98% of managed assets are under active monitoring.",
    ),
    DefaultObligation(
        "Critical patches applied within 14 days",
        Category.COMPLIANCE_SECURITY,
        "security.patch_compliance",
        Decimal(95),
        at_risk_margin=Decimal(2),
        params={"severity": "critical", "within_days": 14},
        source_clause="Critical security patches are applied within 14 days of release on at "
        "least 95% of managed endpoints.",
    ),
    DefaultObligation(
        "Monthly service report delivered by the 5th business day",
        Category.COMMUNICATION_REPORTING,
        "reporting.report_on_time",
        Decimal(1),
        params={"report": "monthly", "business_days": 5},
        source_clause="A monthly service report is delivered by the 5th business day of the "
        "following month.",
    ),
    DefaultObligation(
        "Named primary contact on record",
        Category.COMMUNICATION_REPORTING,
        "tenancy.primary_contact_defined",
        Decimal(1),
        source_clause="Each party names a primary contact for service communication.",
    ),
    DefaultObligation(
        "Named capacity reserved",
        Category.RESOURCE_MANAGEMENT,
        "people.capacity_reserved",
        Decimal(100),
        source_clause="The contracted hours of named technician capacity are reserved each month.",
    ),
    DefaultObligation(
        "Invoices issued on schedule",
        Category.AGREEMENT_ADHERENCE,
        "billing.invoices_on_schedule",
        Decimal(100),
        source_clause="Recurring invoices are issued on the agreed billing date.",
    ),
    DefaultObligation(
        "Licenses within their purchased seats",
        Category.AGREEMENT_ADHERENCE,
        "agreements.licenses_within_assignment",
        Decimal(100),
        source_clause="Licenses managed for the client are never assigned beyond the seats bought.",
    ),
    DefaultObligation(
        "Customer satisfaction (CSAT)",
        Category.CONTINUOUS_IMPROVEMENT,
        "servicedesk.csat_average",
        Decimal("4.5"),
        at_risk_margin=Decimal("0.2"),
        source_clause="Average customer satisfaction on resolved tickets is at least 4.5 of 5.",
    ),
    DefaultObligation(
        "Quarterly business review held",
        Category.COLLABORATION_ALIGNMENT,
        "alignment.qbr_held",
        Decimal(1),
        period_kind=PeriodKind.QUARTERLY,
        source_clause="A quarterly business review is held with the client each quarter.",
    ),
)
