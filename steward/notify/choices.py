"""Statuses and kinds of the notify app."""

from django.db import models


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    HELD = "held", "Held (quiet hours)"
    SENT = "sent", "Sent"
    RETRYING = "retrying", "Retrying"
    FAILED = "failed", "Failed"


# Rows the minute job may still send.
OPEN_STATUSES = (DeliveryStatus.PENDING, DeliveryStatus.HELD, DeliveryStatus.RETRYING)


class StaffRecipient(models.TextChoices):
    """Staff reached by their role towards the notice's client or ticket."""

    SERVICE_MANAGERS = "service_managers", "Service managers who see the client"
    ACCOUNT_MANAGERS = "account_managers", "Account managers who see the client"
    ASSIGNEE = "assignee", "The ticket's assignee"
    ASSIGNED_TECHNICIANS = "assigned_technicians", "Technicians assigned to the client"


class ContactRecipient(models.TextChoices):
    """Which of the client's contacts a policy reaches."""

    NONE = "none", "No contacts"
    PRIMARY = "primary", "The primary contact"
    PORTAL = "portal", "Contacts with portal access"
    ALL = "all", "All contacts"
