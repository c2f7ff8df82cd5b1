"""Kinds and statuses of the agreements app, as TextChoices (never bare strings)."""

from django.db import models


class PaymentTerms(models.TextChoices):
    DUE_ON_RECEIPT = "due_on_receipt", "Due on receipt"
    NET_7 = "net_7", "Net 7"
    NET_15 = "net_15", "Net 15"
    NET_30 = "net_30", "Net 30"
    NET_45 = "net_45", "Net 45"
    NET_60 = "net_60", "Net 60"


PAYMENT_DAYS = {
    PaymentTerms.DUE_ON_RECEIPT: 0,
    PaymentTerms.NET_7: 7,
    PaymentTerms.NET_15: 15,
    PaymentTerms.NET_30: 30,
    PaymentTerms.NET_45: 45,
    PaymentTerms.NET_60: 60,
}


class HourPeriod(models.TextChoices):
    MONTHLY = "monthly", "Per month"
    QUARTERLY = "quarterly", "Per quarter"
    YEARLY = "yearly", "Per year"


class Priority(models.TextChoices):
    P1 = "P1", "P1 (critical)"
    P2 = "P2", "P2 (high)"
    P3 = "P3", "P3 (normal)"
    P4 = "P4", "P4 (low)"


class PausableStatus(models.TextChoices):
    """Ticket statuses that may pause an SLA clock (the ticket statuses themselves arrive with
    the service desk; these are the ones a policy may name)."""

    WAITING_ON_CLIENT = "waiting_on_client", "Waiting on client"
    WAITING_ON_VENDOR = "waiting_on_vendor", "Waiting on vendor"


class ReminderKind(models.TextChoices):
    AGREEMENT_NOTICE = "agreement_notice", "Agreement notice deadline"
    AGREEMENT_EXPIRY = "agreement_expiry", "Agreement expiry"
    LICENSE_RENEWAL = "license_renewal", "License renewal"


# Days before a deadline at which a reminder is raised, most distant first.
REMINDER_THRESHOLDS = (90, 60, 30)


class AssignmentStatus(models.TextChoices):
    OK = "ok", "Fully assigned"
    OVER = "over", "Over-assigned"
    UNDER = "under", "Under-assigned"
