"""Models of the agreements app, one module per concern."""

from steward.agreements.models.agreements import Agreement, StatementOfWork
from steward.agreements.models.calendars import BusinessCalendar
from steward.agreements.models.catalog import ServiceCategory, ServiceOffering
from steward.agreements.models.licenses import License
from steward.agreements.models.reminders import Reminder
from steward.agreements.models.sla import SlaPolicy, SlaTarget

__all__ = [
    "Agreement",
    "BusinessCalendar",
    "License",
    "Reminder",
    "ServiceCategory",
    "ServiceOffering",
    "SlaPolicy",
    "SlaTarget",
    "StatementOfWork",
]
