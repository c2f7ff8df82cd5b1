"""What other apps tell the notify app: ``publish(Notice(...))``.

Publishing never raises into the caller and never sends inside the caller's transaction: the
notify app records what is due and delivers after commit, with retries, so a down channel
never blocks or undoes the action that triggered it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import models


class NoticeKind(models.TextChoices):
    P1_OPENED = "p1_opened", "P1 ticket opened"
    SLA_WARNING = "sla_warning", "SLA warning"
    SLA_BREACH = "sla_breach", "SLA breach"
    OUTAGE_DETECTED = "outage_detected", "Outage detected"
    OUTAGE_RECOVERED = "outage_recovered", "Outage recovered"
    MAINTENANCE_SCHEDULED = "maintenance_scheduled", "Maintenance scheduled"
    MAINTENANCE_STARTING = "maintenance_starting", "Maintenance starting"
    SECURITY_INCIDENT = "security_incident", "Security incident"
    REPORT_READY = "report_ready", "Report ready"
    RENEWAL_DUE = "renewal_due", "Renewal due"
    APPROVAL_REQUESTED = "approval_requested", "Approval requested"


@dataclass(frozen=True)
class Notice:
    """One thing that happened, for the policies to route.

    ``key`` makes publishing idempotent: a notice with a key already published is not sent
    again (e.g. ``f"sla_breach:{ticket.pk}:{clock}"``). ``url`` is a path inside Steward.
    ``attachments`` are (filename, content type, bytes) for channels that carry files (mail).
    """

    kind: str
    client_id: int | None
    at: datetime
    key: str
    subject: str
    body: str = ""
    url: str = ""
    priority: str = ""  # "P1".."P4" when the notice is about a ticket
    context: dict[str, Any] = field(default_factory=dict)
    attachments: tuple[tuple[str, str, bytes], ...] = ()
    # Named people to reach besides the policies' recipients (e.g. a report's chosen contacts).
    contact_ids: tuple[int, ...] = ()
    user_ids: tuple[int, ...] = ()


def publish(notice: Notice) -> None:
    """Hand ``notice`` to the notify app (``services.publish``): recorded once per key, routed
    by the policies, sent after commit with retries. Never raises."""
    # Imported here: the notify services import models that import this module.
    from steward.notify import services

    services.publish(notice)
