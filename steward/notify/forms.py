"""Forms of the notify pages: they parse what was typed; ``config`` validates and writes."""

from __future__ import annotations

from typing import Any

from django import forms

from steward.notify.choices import ContactRecipient, DeliveryStatus, StaffRecipient
from steward.notify.events import NoticeKind
from steward.notify.models import Channel, Policy
from steward.tenancy.models import Client, Contact, User
from steward.tenancy.roles import STAFF_ROLES

TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class ClientChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def __init__(self, user: Any, **kwargs: Any) -> None:
        super().__init__(
            queryset=Client.objects.visible_to(user).order_by("name"),
            required=False,
            empty_label="The whole MSP (every client)",
            **kwargs,
        )


class ChannelForm(forms.Form):
    """The URL is write-only: the input never carries the stored value; blank keeps it."""

    name = forms.CharField(max_length=100)
    url = forms.CharField(
        label="Apprise URL",
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="e.g. slack://…, msteams://…, json://host/path, mailto://… Never shown again.",
    )
    enabled = forms.BooleanField(required=False, initial=True)

    def __init__(self, *args: Any, user: Any, editing: Channel | None = None, **kw: Any) -> None:
        super().__init__(*args, **kw)
        if editing is None:
            self.fields["client"] = ClientChoice(user)
            self.fields["url"].required = True
        else:
            self.fields[
                "url"
            ].help_text = (
                f"Stored ({editing.scheme}://…). Type a new URL to replace it; blank keeps it."
            )


class PolicyForm(forms.Form):
    name = forms.CharField(max_length=100)
    kinds = forms.MultipleChoiceField(
        choices=NoticeKind.choices, widget=forms.CheckboxSelectMultiple, label="Events"
    )
    enabled = forms.BooleanField(required=False, initial=True)
    staff = forms.MultipleChoiceField(
        choices=StaffRecipient.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    contacts = forms.ChoiceField(choices=ContactRecipient.choices, label="Client contacts")
    named_contacts = forms.ModelMultipleChoiceField(
        queryset=Contact.objects.none(), required=False, label="Named contacts"
    )
    users = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(), required=False, label="Named staff"
    )
    channels = forms.ModelMultipleChoiceField(queryset=Channel.objects.none(), required=False)
    quiet_start = forms.TimeField(required=False, widget=TIME, help_text="Client's time zone")
    quiet_end = forms.TimeField(required=False, widget=TIME)
    replaces_msp_policies = forms.BooleanField(
        required=False, label="Replace the MSP-wide policies for these events"
    )

    def __init__(
        self, *args: Any, user: Any, client: Client | None, creating: bool, **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        if creating:
            self.fields = {"client": ClientChoice(user), **self.fields}
        contacts: Any = self.fields["named_contacts"]
        users: Any = self.fields["users"]
        channels: Any = self.fields["channels"]
        cid = client.pk if client else None
        contacts.queryset = Contact.objects.filter(client_id=cid) if cid else Contact.objects.none()
        users.queryset = User.objects.filter(is_active=True, role__in=STAFF_ROLES).order_by(
            "username"
        )
        visible = Channel.objects.visible_to(user)
        channels.queryset = visible.filter(client__isnull=True) | visible.filter(client_id=cid)


def policy_initial(policy: Policy) -> dict[str, Any]:
    return {
        "name": policy.name,
        "kinds": policy.kinds,
        "enabled": policy.enabled,
        "staff": policy.staff,
        "contacts": policy.contacts,
        "named_contacts": list(policy.named_contacts.all()),
        "users": list(policy.users.all()),
        "channels": list(policy.channels.all()),
        "quiet_start": policy.quiet_start,
        "quiet_end": policy.quiet_end,
        "replaces_msp_policies": policy.replaces_msp_policies,
    }


class TemplateForm(forms.Form):
    subject = forms.CharField(max_length=300, required=False)
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 14}), required=False,
                           label="Plain-text body")  # fmt: skip
    html = forms.CharField(widget=forms.Textarea(attrs={"rows": 10}), required=False,
                           label="HTML body (optional)")  # fmt: skip


class DeliveryFilter(forms.Form):
    status = forms.ChoiceField(choices=[("", "Any status"), *DeliveryStatus.choices],
                               required=False)  # fmt: skip
    kind = forms.ChoiceField(choices=[("", "Any event"), *NoticeKind.choices], required=False)
    client = forms.IntegerField(required=False, min_value=1)
