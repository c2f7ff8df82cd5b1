"""Business calendars: opening hours, holidays and closures in a time zone (JSON form)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone as dj_tz

from steward.core.calendarspec import CalendarError, CalendarSpec, parse_calendar
from steward.tenancy.scoping import ClientScopedQuerySet


class BusinessCalendarQuerySet(ClientScopedQuerySet):
    msp_wide = Q(client__isnull=True)  # MSP-wide calendars, shown to staff


def calendar_error(exc: CalendarError) -> ValidationError:
    """A parser rejection as a validation error on the ``spec`` field, naming the path."""
    return ValidationError({"spec": f"{exc.field}: {exc.reason}"}, code=exc.field)


class BusinessCalendar(models.Model):
    """Opening hours in a time zone with public holidays and closures, in the JSON form that
    ``steward.core.calendarspec`` parses; stored normalised. ``client`` empty = MSP-wide."""

    client = models.ForeignKey(
        "tenancy.Client",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="calendars",
    )
    name = models.CharField(max_length=200)
    spec = models.JSONField(help_text="The calendar's JSON form (docs/business-time.md)")
    created_at = models.DateTimeField(default=dj_tz.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BusinessCalendarQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def timezone(self) -> str:
        return str(self.spec.get("timezone", "UTC")) if isinstance(self.spec, dict) else "UTC"

    def calendar_spec(self) -> CalendarSpec:
        """The parsed calendar (the stored form is valid: services validate before saving)."""
        return parse_calendar(self.spec)

    def clean(self) -> None:
        try:
            parsed = parse_calendar(self.spec)
        except CalendarError as exc:
            raise calendar_error(exc) from None
        normal = parsed.to_json()
        normal["name"] = self.name
        self.spec = normal
