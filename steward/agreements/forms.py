"""Web forms of the agreements app. They validate input and name the field; services write."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.db.models import QuerySet

from steward.agreements.choices import PausableStatus, Priority
from steward.agreements.models import (
    Agreement,
    BusinessCalendar,
    License,
    ServiceOffering,
    SlaPolicy,
    StatementOfWork,
)
from steward.core.calendarspec import CalendarError, parse_calendar
from steward.tenancy.forms import timezone_choices
from steward.tenancy.models import Client

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AgreementForm(forms.ModelForm):  # type: ignore[type-arg]
    """``clients`` limits the client choice to those the user sees (create only)."""

    class Meta:
        model = Agreement
        fields = [
            "client", "reference", "title", "start_date", "term_months", "auto_renew",
            "notice_days", "payment_terms", "currency", "timezone", "notes",
        ]  # fmt: skip
        widgets = {"start_date": DATE, "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, clients: QuerySet[Client] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["timezone"].widget = forms.Select(choices=timezone_choices())
        if clients is None:
            del self.fields["client"]
        else:
            client_field: forms.ModelChoiceField = self.fields["client"]  # type: ignore[assignment]
            client_field.queryset = clients

    def clean_currency(self) -> str:
        return str(self.cleaned_data.get("currency") or "").upper()


class SowForm(forms.ModelForm):  # type: ignore[type-arg]
    included_offerings = forms.ModelMultipleChoiceField(
        queryset=ServiceOffering.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    excluded_offerings = forms.ModelMultipleChoiceField(
        queryset=ServiceOffering.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = StatementOfWork
        fields = [
            "title", "start_date", "end_date", "device_count", "user_count", "hours_per_period",
            "hour_period", "monthly_fee", "one_off_fee",
        ]  # fmt: skip
        widgets = {"start_date": DATE, "end_date": DATE}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        both = set(data.get("included_offerings") or []) & set(data.get("excluded_offerings") or [])
        if both:
            names = ", ".join(sorted(o.name for o in both))
            self.add_error("excluded_offerings", f"included and excluded at once: {names}")
        return data


class LicenseForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = License
        fields = [
            "client", "agreement", "vendor", "product", "seats", "assigned_seats", "start_date",
            "end_date", "auto_renew", "unit_cost", "unit_price", "currency",
        ]  # fmt: skip
        widgets = {"start_date": DATE, "end_date": DATE}

    def __init__(self, *args: Any, clients: QuerySet[Client] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agreement_field: forms.ModelChoiceField = self.fields["agreement"]  # type: ignore[assignment]
        if clients is None:
            del self.fields["client"]
            agreement_field.queryset = Agreement.objects.filter(client_id=self.instance.client_id)
        else:
            client_field: forms.ModelChoiceField = self.fields["client"]  # type: ignore[assignment]
            client_field.queryset = clients
            agreement_field.queryset = Agreement.objects.filter(client__in=clients)

    def clean_currency(self) -> str:
        return str(self.cleaned_data.get("currency") or "").upper()


class CalendarForm(forms.Form):
    """A calendar's JSON form as text; errors name the path inside it (``hours.mon[1]``)."""

    client = forms.ModelChoiceField(
        queryset=Client.objects.none(), required=False, empty_label="MSP-wide (every client)"
    )
    spec = forms.CharField(
        label="Calendar (JSON)",
        widget=forms.Textarea(attrs={"rows": 14, "class": "mono"}),
        help_text='{"name": …, "timezone": "Europe/Berlin", "hours": {"mon": [["09:00", '
        '"17:00"]]}, "holidays": {"country": "DE", "subdivision": "BE"}} (docs/business-time.md)',
    )

    def __init__(self, *args: Any, clients: QuerySet[Client] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        client_field: forms.ModelChoiceField = self.fields["client"]  # type: ignore[assignment]
        if clients is None:
            del self.fields["client"]
        else:
            client_field.queryset = clients

    def clean_spec(self) -> dict[str, Any]:
        try:
            form = json.loads(self.cleaned_data["spec"])
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(f"not valid JSON: {exc.msg} (line {exc.lineno})") from None
        try:
            parse_calendar(form)
        except CalendarError as exc:
            raise forms.ValidationError(f"{exc.field}: {exc.reason}") from None
        if not str(form.get("name", "")).strip():
            raise forms.ValidationError("name: a calendar needs a name")
        return dict(form)


class PreviewForm(forms.Form):
    """Start (wall time in the calendar's zone) plus business seconds."""

    start = forms.DateTimeField(
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "step": 1}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        help_text="Wall-clock time in the calendar's time zone",
    )
    seconds = forms.IntegerField(min_value=0, max_value=10 * 365 * 86_400, initial=3600)

    def start_in(self, zone: str) -> datetime:
        """The start as an aware instant: the naive wall time read in ``zone``."""
        start: datetime = self.cleaned_data["start"]
        return start.replace(tzinfo=None).replace(tzinfo=ZoneInfo(zone))


class SeatsForm(forms.Form):
    assigned_seats = forms.IntegerField(min_value=0, max_value=10_000_000)


class SlaPolicyForm(forms.Form):
    """An SLA policy with one row of targets per priority (minutes; a blank response leaves
    the priority without a target). Saving an existing policy adds a version."""

    name = forms.CharField(max_length=200)
    calendar = forms.ModelChoiceField(queryset=BusinessCalendar.objects.none())
    warning_percent = forms.IntegerField(min_value=1, max_value=99, initial=75)
    pause_statuses = forms.MultipleChoiceField(
        choices=PausableStatus.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    credit_percent = forms.DecimalField(min_value=0, max_value=100, decimal_places=2, initial=0)
    credit_cap_percent = forms.DecimalField(min_value=0, max_value=100, decimal_places=2, initial=0)

    def __init__(self, *args: Any, calendars: QuerySet[BusinessCalendar], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        calendar_field: forms.ModelChoiceField = self.fields["calendar"]  # type: ignore[assignment]
        calendar_field.queryset = calendars
        for priority in Priority.values:
            key = priority.lower()
            self.fields[f"{key}_response"] = forms.IntegerField(
                label=f"{priority} response (minutes)", min_value=1, required=False
            )
            self.fields[f"{key}_resolution"] = forms.IntegerField(
                label=f"{priority} resolution (minutes)", min_value=1, required=False
            )
            self.fields[f"{key}_plan"] = forms.IntegerField(
                label=f"{priority} resolution plan (minutes, optional)", min_value=1, required=False
            )
            self.fields[f"{key}_calendar"] = forms.ModelChoiceField(
                queryset=calendars, required=False, label=f"{priority} calendar",
                empty_label="the policy's calendar",
            )  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for priority in Priority.values:
            key = priority.lower()
            response, resolution = data.get(f"{key}_response"), data.get(f"{key}_resolution")
            if (response is None) != (resolution is None):
                self.add_error(f"{key}_resolution", "give both targets or neither")
            elif response is not None and resolution is not None and resolution < response:
                self.add_error(f"{key}_resolution", "shorter than the response target")
        return data

    def policy_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        names = ("name", "calendar", "warning_percent", "credit_percent", "credit_cap_percent")
        return {name: data[name] for name in names} | {
            "pause_statuses": list(data["pause_statuses"])
        }

    def targets(self) -> list[dict[str, Any]]:
        rows = []
        for priority in Priority.values:
            key = priority.lower()
            response = self.cleaned_data.get(f"{key}_response")
            if response is None:
                continue
            rows.append(
                {
                    "priority": priority,
                    "response_seconds": response * 60,
                    "resolution_seconds": self.cleaned_data[f"{key}_resolution"] * 60,
                    "plan_seconds": _seconds(self.cleaned_data.get(f"{key}_plan")),
                    "calendar": self.cleaned_data.get(f"{key}_calendar"),
                }
            )
        return rows


def policy_initial(policy: SlaPolicy) -> dict[str, Any]:
    """The form's initial values from a policy version (targets in minutes)."""
    initial: dict[str, Any] = {
        name: getattr(policy, name)
        for name in ("name", "calendar", "warning_percent", "pause_statuses", "credit_percent",
                     "credit_cap_percent")
    }  # fmt: skip
    for target in policy.targets.all():
        key = target.priority.lower()
        initial[f"{key}_response"] = target.response_seconds // 60
        initial[f"{key}_resolution"] = target.resolution_seconds // 60
        initial[f"{key}_plan"] = target.plan_seconds // 60 if target.plan_seconds else None
        initial[f"{key}_calendar"] = target.calendar
    return initial


def _seconds(minutes: int | None) -> int | None:
    return minutes * 60 if minutes is not None else None
