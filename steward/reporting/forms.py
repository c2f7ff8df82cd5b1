"""Forms of the reporting pages: the schedule, "generate now" and "send now"."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q

from steward.agreements.models import BusinessCalendar
from steward.reporting.choices import Paper
from steward.reporting.models import MAX_BUSINESS_DAY
from steward.tenancy.models import Client, Contact


def _contacts(client: Client) -> Any:
    return Contact.objects.filter(client=client).exclude(email="").order_by("last_name", "pk")


class ScheduleForm(forms.Form):
    business_day = forms.IntegerField(
        min_value=1, max_value=MAX_BUSINESS_DAY, initial=3, label="Business day of the month"
    )
    send_time = forms.TimeField(
        initial="08:00",
        label="Time (client's zone)",
        widget=forms.TimeInput(attrs={"type": "time"}),
    )
    calendar = forms.ModelChoiceField(
        queryset=BusinessCalendar.objects.none(),
        required=False,
        empty_label="The SLA policy's calendar",
    )
    contacts = forms.ModelMultipleChoiceField(
        queryset=Contact.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    paper = forms.ChoiceField(choices=Paper.choices, initial=Paper.A4)
    enabled = forms.BooleanField(required=False, initial=True)

    def __init__(self, *args: Any, client: Client, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["calendar"].queryset = BusinessCalendar.objects.filter(  # type: ignore[attr-defined]
            Q(client=client) | Q(client__isnull=True)
        ).order_by("name", "pk")
        self.fields["contacts"].queryset = _contacts(client)  # type: ignore[attr-defined]


class GenerateForm(forms.Form):
    period = forms.ChoiceField(choices=())
    paper = forms.ChoiceField(choices=Paper.choices, initial=Paper.A4)

    def __init__(self, *args: Any, periods: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [(p, p) for p in periods]  # type: ignore[attr-defined]


class SendForm(forms.Form):
    contacts = forms.ModelMultipleChoiceField(
        queryset=Contact.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, client: Client, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contacts"].queryset = _contacts(client)  # type: ignore[attr-defined]
