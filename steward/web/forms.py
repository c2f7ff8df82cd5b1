"""Forms of the web shell: sign-in, second factor, API tokens, audit filters."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django_otp.forms import OTPTokenForm

from steward.core.choices import AuditAction, AuditSource
from steward.core.schemas import AuditFilter
from steward.tenancy.choices import TokenScope
from steward.tenancy.models import Client

CODE_ATTRS = {
    "autocomplete": "one-time-code",
    "inputmode": "numeric",
    "pattern": "[0-9 ]*",
    "maxlength": "8",
    "autofocus": True,
}


class LoginForm(AuthenticationForm):
    """Django's sign-in form with the browser hints a password manager expects."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class VerifyCodeForm(OTPTokenForm):
    """The code step after the password: the user's one device is chosen for them."""

    otp_error_messages = {
        **OTPTokenForm.otp_error_messages,
        "token_required": "Enter the 6-digit code from your authenticator app.",
        "invalid_token": "That code is not right. Check the app and try again.",
    }

    def __init__(self, user: Any, request: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(user, request, *args, **kwargs)
        self.fields["otp_device"].widget = forms.HiddenInput()
        self.fields["otp_token"].label = "Authenticator code"
        self.fields["otp_token"].widget.attrs.update(CODE_ATTRS)
        choices = [c for c in self.fields["otp_device"].choices if c[0]]
        if choices:
            self.fields["otp_device"].initial = choices[0][0]


class EnrolCodeForm(forms.Form):
    code = forms.CharField(
        label="Code from the app", max_length=8, widget=forms.TextInput(attrs=CODE_ATTRS)
    )


class TokenCreateForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What the token is for, e.g. 'backup script'")
    scopes = forms.MultipleChoiceField(
        choices=TokenScope.choices,
        initial=[TokenScope.READ],
        widget=forms.CheckboxSelectMultiple,
    )
    expires_on = forms.DateField(
        required=False,
        help_text="Optional; the token stops working at the start of this day (UTC)",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def expires_at(self) -> datetime | None:
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        return datetime.combine(day, time.min, tzinfo=UTC)


class AuditFilterForm(forms.Form):
    """The audit browser's filters; ``to_filter`` turns them into the API's AuditFilter."""

    actor = forms.CharField(required=False, label="Actor (username)")
    action = forms.ChoiceField(required=False, choices=[("", "Any action"), *AuditAction.choices])
    object_type = forms.ChoiceField(required=False, label="Object type")
    client_id = forms.TypedChoiceField(required=False, label="Client", coerce=int, empty_value=None)
    source = forms.ChoiceField(required=False, choices=[("", "Any source"), *AuditSource.choices])
    since = forms.DateField(required=False, label="From", widget=forms.DateInput({"type": "date"}))
    until = forms.DateField(required=False, label="To", widget=forms.DateInput({"type": "date"}))

    def __init__(self, *args: Any, object_types: list[str], clients: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        type_field: forms.ChoiceField = self.fields["object_type"]  # type: ignore[assignment]
        type_field.choices = [("", "Any type")] + [(t, t) for t in object_types]
        client_field: forms.TypedChoiceField = self.fields["client_id"]  # type: ignore[assignment]
        client_field.choices = [("", "Any client")] + [
            (c.pk, c.name) for c in clients if isinstance(c, Client)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", "must be on or after the 'from' date")
        return data

    def to_filter(self) -> AuditFilter:
        data = self.cleaned_data
        since, until = data.get("since"), data.get("until")
        return AuditFilter(
            actor=data.get("actor") or None,
            action=data.get("action") or None,
            object_type=data.get("object_type") or None,
            client_id=data.get("client_id"),
            source=data.get("source") or None,
            since=datetime.combine(since, time.min, tzinfo=UTC) if since else None,
            # The 'to' day is inclusive: entries before the next midnight.
            until=datetime.combine(until + timedelta(days=1), time.min, tzinfo=UTC)
            if until
            else None,
        )
