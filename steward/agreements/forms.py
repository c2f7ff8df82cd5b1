"""Web forms of the agreements app. They validate input and name the field; services write."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.db.models import QuerySet

from steward.agreements.models import Agreement, License, ServiceOffering, StatementOfWork
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
