"""Forms of the portal and of the staff's approval request."""

from __future__ import annotations

from typing import Any

from django import forms

from steward.portal.choices import ApprovalKind, Decision
from steward.portal.services.approvals import MAX_COMMENT, MAX_QUESTION
from steward.tenancy.models import Contact


class LinkRequestForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def clean_email(self) -> str:
        return str(self.cleaned_data["email"]).strip().lower()


class TicketSearchForm(forms.Form):
    OPEN, CLOSED, ALL = "open", "closed", "all"
    state = forms.ChoiceField(
        label="Show",
        choices=[(OPEN, "Open tickets"), (CLOSED, "Closed tickets"), (ALL, "All tickets")],
        required=False,
    )
    q = forms.CharField(label="Search", max_length=200, required=False)

    def state_value(self) -> str:
        if self.is_valid() and self.cleaned_data["state"]:
            return str(self.cleaned_data["state"])
        return self.OPEN

    def query(self) -> str:
        return str(self.cleaned_data.get("q") or "").strip() if self.is_valid() else ""


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[(Decision.APPROVED, "Approve"), (Decision.REJECTED, "Reject")]
    )
    comment = forms.CharField(
        label="Comment (optional)",
        max_length=MAX_COMMENT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ApprovalRequestForm(forms.Form):
    kind = forms.ChoiceField(label="What needs approval", choices=ApprovalKind.choices)
    question = forms.CharField(
        label="Question to the client",
        max_length=MAX_QUESTION,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What you will do, why, and what it costs if it is billed separately",
    )
    contacts = forms.ModelMultipleChoiceField(
        label="Tell these contacts",
        queryset=Contact.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="They get a notice; any contact of the client with a portal login may decide",
    )

    def __init__(self, *args: Any, contacts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["contacts"]
        field.queryset = contacts
