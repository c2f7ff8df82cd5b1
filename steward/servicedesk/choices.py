"""Kinds, statuses and levels of the service desk, as TextChoices (never bare strings)."""

from __future__ import annotations

from django.db import models

from steward.agreements.choices import Priority

__all__ = [
    "EventKind",
    "Impact",
    "LinkKind",
    "Priority",
    "Source",
    "Status",
    "TicketKind",
    "Urgency",
    "WorkType",
]


class TicketKind(models.TextChoices):
    INCIDENT = "incident", "Incident"
    SERVICE_REQUEST = "service_request", "Service request"
    PROBLEM = "problem", "Problem"
    CHANGE = "change", "Change"


class Status(models.TextChoices):
    NEW = "new", "New"
    ASSIGNED = "assigned", "Assigned"
    IN_PROGRESS = "in_progress", "In progress"
    WAITING_ON_CLIENT = "waiting_on_client", "Waiting on client"
    WAITING_ON_VENDOR = "waiting_on_vendor", "Waiting on vendor"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


OPEN_STATUSES = frozenset(
    {
        Status.NEW,
        Status.ASSIGNED,
        Status.IN_PROGRESS,
        Status.WAITING_ON_CLIENT,
        Status.WAITING_ON_VENDOR,
    }
)
DONE_STATUSES = frozenset({Status.RESOLVED, Status.CLOSED})

# The workflow: which status may follow which. Leaving a done status is a reopen.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset(
        {
            Status.ASSIGNED,
            Status.IN_PROGRESS,
            Status.WAITING_ON_CLIENT,
            Status.WAITING_ON_VENDOR,
            Status.RESOLVED,
        }
    ),
    Status.ASSIGNED: frozenset(
        {
            Status.NEW,
            Status.IN_PROGRESS,
            Status.WAITING_ON_CLIENT,
            Status.WAITING_ON_VENDOR,
            Status.RESOLVED,
        }
    ),
    Status.IN_PROGRESS: frozenset(
        {Status.ASSIGNED, Status.WAITING_ON_CLIENT, Status.WAITING_ON_VENDOR, Status.RESOLVED}
    ),
    Status.WAITING_ON_CLIENT: frozenset(
        {Status.ASSIGNED, Status.IN_PROGRESS, Status.WAITING_ON_VENDOR, Status.RESOLVED}
    ),
    Status.WAITING_ON_VENDOR: frozenset(
        {Status.ASSIGNED, Status.IN_PROGRESS, Status.WAITING_ON_CLIENT, Status.RESOLVED}
    ),
    Status.RESOLVED: frozenset({Status.CLOSED, Status.IN_PROGRESS}),
    Status.CLOSED: frozenset({Status.IN_PROGRESS}),
}


class Impact(models.TextChoices):
    HIGH = "high", "High (many users or a whole site)"
    MEDIUM = "medium", "Medium (a team or a service degraded)"
    LOW = "low", "Low (one user)"


class Urgency(models.TextChoices):
    HIGH = "high", "High (work stopped)"
    MEDIUM = "medium", "Medium (work impaired)"
    LOW = "low", "Low (can wait)"


# The ITIL impact x urgency matrix.
PRIORITY_MATRIX: dict[tuple[str, str], str] = {
    (Impact.HIGH, Urgency.HIGH): Priority.P1,
    (Impact.HIGH, Urgency.MEDIUM): Priority.P2,
    (Impact.MEDIUM, Urgency.HIGH): Priority.P2,
    (Impact.HIGH, Urgency.LOW): Priority.P3,
    (Impact.MEDIUM, Urgency.MEDIUM): Priority.P3,
    (Impact.LOW, Urgency.HIGH): Priority.P3,
    (Impact.MEDIUM, Urgency.LOW): Priority.P4,
    (Impact.LOW, Urgency.MEDIUM): Priority.P4,
    (Impact.LOW, Urgency.LOW): Priority.P4,
}


def matrix_priority(impact: str, urgency: str) -> str:
    return PRIORITY_MATRIX[(Impact(impact), Urgency(urgency))]


class Source(models.TextChoices):
    PORTAL = "portal", "Portal"
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone"
    API = "api", "API"
    ALERT = "alert", "Monitoring alert"
    RECURRING = "recurring", "Recurring schedule"
    IMPORT = "import", "Import"
    STAFF = "staff", "Entered by staff"


class EventKind(models.TextChoices):
    CREATED = "created", "Created"
    STATUS = "status", "Status changed"
    REPLY = "reply", "Public reply"
    NOTE = "note", "Internal note"
    PLAN = "plan", "Resolution plan"
    ASSIGNED = "assigned", "Assigned"
    PRIORITY = "priority", "Priority changed"
    CATEGORY = "category", "Category changed"
    QUEUE = "queue", "Queue changed"
    WATCHER = "watcher", "Watcher added or removed"
    LINK = "link", "Linked"
    ATTACHMENT = "attachment", "Attachment added"
    MERGED = "merged", "Merged"
    SLA_WARNING = "sla_warning", "SLA warning"
    SLA_BREACH = "sla_breach", "SLA breached"
    SLA_RECOMPUTED = "sla_recomputed", "SLA recomputed"
    ESCALATED = "escalated", "Escalated"
    TIME = "time", "Time logged"
    SURVEY = "survey", "Satisfaction survey"
    MAIL = "mail", "Mail sent"


class LinkKind(models.TextChoices):
    RELATED = "related", "Related to"
    DUPLICATE = "duplicate", "Duplicate of"
    CAUSED_BY = "caused_by", "Caused by"
    PARENT = "parent", "Child of"
    ASSET = "asset", "Asset"
    ALERT = "alert", "Alert"


class WorkType(models.TextChoices):
    REMOTE = "remote", "Remote support"
    ONSITE = "onsite", "On site"
    PROJECT = "project", "Project work"
    PREVENTIVE = "preventive", "Preventive maintenance"
    ADMIN = "admin", "Administration"
    TRAVEL = "travel", "Travel"


class MailDirection(models.TextChoices):
    IN = "in", "Received"
    OUT = "out", "Sent"


class MailDisposition(models.TextChoices):
    """What became of a received message."""

    NEW_TICKET = "new_ticket", "Opened a ticket"
    REPLY = "reply", "Added to a ticket"
    TRIAGE = "triage", "Waiting in triage (unknown sender)"
    LOOP = "loop", "Dropped: automatic or looping mail"
    REJECTED = "rejected", "Rejected"
    SENT = "sent", "Sent"
