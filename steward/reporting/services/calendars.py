"""Which business calendar counts a client's business days for its reports."""

from __future__ import annotations

from steward.agreements.models import BusinessCalendar, SlaPolicy
from steward.core.calendarspec import CalendarSpec
from steward.reporting.models import ReportSchedule
from steward.reporting.scheduling import weekdays
from steward.tenancy.models import Client


def calendar_for(client: Client, schedule: ReportSchedule | None = None) -> CalendarSpec:
    """The schedule's own calendar, else the calendar of the client's current SLA policy,
    else Monday to Friday in the client's time zone (no holidays)."""
    chosen: BusinessCalendar | None = None
    if schedule is not None and schedule.calendar_id is not None:
        chosen = schedule.calendar
    if chosen is None:
        policy = (
            SlaPolicy.objects.filter(client=client, effective_until__isnull=True)
            .select_related("calendar")
            .order_by("-effective_from")
            .first()
        )
        chosen = policy.calendar if policy is not None else None
    if chosen is None:
        return weekdays(client.timezone)
    spec = chosen.calendar_spec()
    # A 24x7 calendar opens every day, which would make weekends business days.
    return weekdays(client.timezone) if spec.is_24x7 else spec
