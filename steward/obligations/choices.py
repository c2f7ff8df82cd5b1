"""Kinds and statuses of the obligation engine."""

from django.db import models


class Category(models.TextChoices):
    """The eight areas of obligation an MSP owes (ARCHITECTURE.md), in their canonical order."""

    SERVICE_DELIVERY = "service_delivery", "1. Service delivery"
    PROACTIVE_MANAGEMENT = "proactive_management", "2. Proactive management"
    COMPLIANCE_SECURITY = "compliance_security", "3. Compliance and security"
    COMMUNICATION_REPORTING = "communication_reporting", "4. Communication and reporting"
    RESOURCE_MANAGEMENT = "resource_management", "5. Resource management"
    AGREEMENT_ADHERENCE = "agreement_adherence", "6. Adherence to agreements"
    CONTINUOUS_IMPROVEMENT = "continuous_improvement", "7. Continuous improvement"
    COLLABORATION_ALIGNMENT = "collaboration_alignment", "8. Collaboration and alignment"


class Status(models.TextChoices):
    MET = "met", "Met"
    AT_RISK = "at_risk", "At risk"
    BREACHED = "breached", "Breached"
    NO_DATA = "no_data", "No data"


class Comparator(models.TextChoices):
    GTE = ">=", "at least"
    LTE = "<=", "at most"
    GT = ">", "more than"
    LT = "<", "less than"
    EQ = "==", "exactly"


class PeriodKind(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"


# Worst first: the portfolio shows the worst status of an area. No data ranks below breached
# but above at risk: an unmeasured promise is a problem to look at, not a pass.
STATUS_SEVERITY: dict[str, int] = {
    Status.BREACHED: 3,
    Status.NO_DATA: 2,
    Status.AT_RISK: 1,
    Status.MET: 0,
}


def worst(statuses: list[str]) -> str | None:
    """The most severe status in ``statuses``; None for an empty list."""
    return max(statuses, key=lambda s: STATUS_SEVERITY[s]) if statuses else None


def category_number(category: str) -> int:
    """1 for service delivery … 8 for collaboration and alignment."""
    return list(Category.values).index(category) + 1
