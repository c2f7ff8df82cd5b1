"""Web forms for clients, sites and contacts. They validate input; the services write."""

from __future__ import annotations

import zoneinfo
from functools import cache
from typing import Any

from django import forms

from steward.tenancy.models import Client, Contact, Site


@cache
def timezone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class _TimezoneMixin:
    def _use_timezone_select(self) -> None:
        fields: Any = self.fields  # type: ignore[attr-defined]
        fields["timezone"].widget = forms.Select(choices=timezone_choices())


class ClientForm(_TimezoneMixin, forms.ModelForm):  # type: ignore[type-arg]
    website = forms.URLField(required=False, assume_scheme="https", max_length=200)

    class Meta:
        model = Client
        fields = [
            "name",
            "code",
            "status",
            "industry",
            "size",
            "timezone",
            "country",
            "website",
            "onboarded_on",
            "notes",
        ]
        widgets = {
            "onboarded_on": forms.DateInput(attrs={"type": "date"}),
            "notes": forms.Textarea(attrs={"rows": 4}),
            "country": forms.TextInput(attrs={"size": 2, "placeholder": "DE"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._use_timezone_select()

    def clean_country(self) -> str:
        return str(self.cleaned_data.get("country") or "").upper()


class SiteForm(_TimezoneMixin, forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Site
        fields = ["name", "address", "city", "postcode", "country", "timezone"]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._use_timezone_select()

    def clean_country(self) -> str:
        return str(self.cleaned_data.get("country") or "").upper()

    def clean_name(self) -> str:
        # The form leaves ``client`` out, so Django would not check the per-client uniqueness;
        # checking here names the field instead of failing the whole form.
        name = str(self.cleaned_data.get("name") or "")
        siblings = Site.objects.filter(client_id=self.instance.client_id).exclude(
            pk=self.instance.pk
        )
        if siblings.filter(name=name).exists():
            raise forms.ValidationError("this client already has a site with this name")
        return name


class ContactForm(forms.ModelForm):  # type: ignore[type-arg]
    """``sites`` limits the site choice to the contact's own client."""

    class Meta:
        model = Contact
        fields = ["first_name", "last_name", "email", "phone", "title", "site", "is_primary"]

    def __init__(self, *args: Any, sites: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        site_field: forms.ModelChoiceField = self.fields["site"]  # type: ignore[assignment]
        site_field.queryset = sites
        site_field.required = False

    def clean_email(self) -> str:
        email = str(self.cleaned_data.get("email") or "")
        siblings = Contact.objects.filter(client_id=self.instance.client_id).exclude(
            pk=self.instance.pk
        )
        if siblings.filter(email__iexact=email).exists():
            raise forms.ValidationError("this client already has a contact with this email")
        return email
