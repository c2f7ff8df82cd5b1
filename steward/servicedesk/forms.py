"""Forms of the ticket pages. Choices come from querysets the view scopes with
``visible_to(user)``; the services validate the rest (another client's site, a technician who
does not work for the client) and their errors land on these fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from steward.agreements.models import ServiceCategory
from steward.servicedesk.choices import (
    Impact,
    LinkKind,
    Priority,
    Status,
    TicketKind,
    Urgency,
)
from steward.servicedesk.models import Queue, Ticket
from steward.tenancy.models import Client, Contact, Site, User

OPEN, ALL = "", "all"


def choose(form: forms.Form, name: str, queryset: Any) -> None:
    """Give the model choice field ``name`` the (scoped) rows it offers."""
    field: Any = form.fields[name]
    field.queryset = queryset


STATUS_FILTER = [(OPEN, "Open tickets"), (ALL, "All statuses"), *Status.choices]


class TicketFilterForm(forms.Form):
    """The list's filters (GET). Staff-only fields are dropped for client contacts."""

    q = forms.CharField(label="Subject", required=False, max_length=200)
    status = forms.ChoiceField(choices=STATUS_FILTER, required=False)
    priority = forms.ChoiceField(choices=[("", "Any priority"), *Priority.choices], required=False)
    kind = forms.ChoiceField(choices=[("", "Any kind"), *TicketKind.choices], required=False)
    client = forms.ModelChoiceField(
        queryset=Client.objects.none(), required=False, empty_label="All clients"
    )
    assignee = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, empty_label="Anyone"
    )
    mine = forms.BooleanField(label="Mine", required=False)
    breached = forms.BooleanField(label="SLA breached", required=False)
    at_risk = forms.BooleanField(label="At risk", required=False)

    def __init__(self, *args: Any, clients: Any, staff: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choose(self, "client", clients)
        if staff is None:
            for name in ("assignee", "mine"):
                del self.fields[name]
        else:
            choose(self, "assignee", staff)

    def filters(self) -> dict[str, Any]:
        """The cleaned values in the API's filter names (``filter_tickets``)."""
        data = self.cleaned_data if self.is_valid() else {}
        status = data.get("status", OPEN)
        found: dict[str, Any] = {
            "q": data.get("q") or None,
            "priority": [data["priority"]] if data.get("priority") else None,
            "kind": data.get("kind") or None,
            "client_id": data["client"].pk if data.get("client") else None,
            "assignee_id": data["assignee"].pk if data.get("assignee") else None,
            "mine": data.get("mine") or None,
            "breached": True if data.get("breached") else None,
            "at_risk": data.get("at_risk") or None,
        }
        if status == OPEN:
            found["open"] = True
        elif status != ALL:
            found["status"] = [status]
        return {k: v for k, v in found.items() if v is not None}


class TicketForm(forms.Form):
    """Open a ticket. Contacts get no client, requester, priority or queue fields: the client
    and requester are theirs, and priority and queue are the MSP's to set."""

    client = forms.ModelChoiceField(queryset=Client.objects.none())
    subject = forms.CharField(max_length=255)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), required=False)
    kind = forms.ChoiceField(choices=TicketKind.choices, initial=TicketKind.INCIDENT)
    impact = forms.ChoiceField(choices=Impact.choices, initial=Impact.LOW)
    urgency = forms.ChoiceField(choices=Urgency.choices, initial=Urgency.MEDIUM)
    priority = forms.ChoiceField(
        choices=[("", "From impact and urgency"), *Priority.choices],
        required=False,
        help_text="Override the matrix only with a reason",
    )
    priority_reason = forms.CharField(max_length=255, required=False)
    category = forms.ModelChoiceField(queryset=ServiceCategory.objects.none(), required=False)
    site = forms.ModelChoiceField(queryset=Site.objects.none(), required=False)
    requester = forms.ModelChoiceField(queryset=Contact.objects.none(), required=False)
    queue = forms.ModelChoiceField(queryset=Queue.objects.none(), required=False)

    def __init__(
        self, *args: Any, clients: Any, sites: Any, contacts: Any, staff: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        choose(self, "category", ServiceCategory.objects.order_by("name"))
        choose(self, "site", sites)
        if staff:
            choose(self, "client", clients)
            choose(self, "requester", contacts)
            choose(self, "queue", Queue.objects.order_by("name"))
        else:
            for name in ("client", "requester", "priority", "priority_reason", "queue"):
                del self.fields[name]

    def ticket_fields(self) -> dict[str, Any]:
        """Keyword arguments for ``services.open_ticket`` (without the client)."""
        fields = {k: v for k, v in self.cleaned_data.items() if k != "client"}
        if "priority" in fields:
            fields["priority"] = fields["priority"] or None
        return fields


class TicketEditForm(forms.Form):
    """What ``services.update_ticket`` may change; only the fields changed are sent."""

    subject = forms.CharField(max_length=255)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), required=False)
    kind = forms.ChoiceField(choices=TicketKind.choices)
    impact = forms.ChoiceField(choices=Impact.choices)
    urgency = forms.ChoiceField(choices=Urgency.choices)
    category = forms.ModelChoiceField(queryset=ServiceCategory.objects.none(), required=False)
    site = forms.ModelChoiceField(queryset=Site.objects.none(), required=False)
    requester = forms.ModelChoiceField(queryset=Contact.objects.none(), required=False)
    queue = forms.ModelChoiceField(queryset=Queue.objects.none(), required=False)

    def __init__(self, *args: Any, ticket: Ticket, sites: Any, contacts: Any, **kwargs: Any):
        kwargs["initial"] = {name: getattr(ticket, name) for name in self.base_fields}
        super().__init__(*args, **kwargs)
        choose(self, "category", ServiceCategory.objects.order_by("name"))
        choose(self, "site", sites)
        choose(self, "requester", contacts)
        choose(self, "queue", Queue.objects.order_by("name"))

    def changes(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.changed_data}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)] if data else []


REPLY, NOTE, PLAN = "reply", "note", "plan"


class ReplyForm(forms.Form):
    """A public reply, an internal note or the resolution plan, with files attached."""

    body = forms.CharField(label="Message", widget=forms.Textarea(attrs={"rows": 5}))
    mode = forms.ChoiceField(
        label="Send as",
        choices=[(REPLY, "Public reply"), (NOTE, "Internal note"), (PLAN, "Resolution plan")],
        initial=REPLY,
    )
    attach = MultipleFileField(label="Attach files", required=False)

    def __init__(self, *args: Any, staff: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not staff:
            del self.fields["mode"]


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Status.choices)
    reason = forms.CharField(
        max_length=1000, required=False, help_text="Needed when the ticket starts waiting"
    )


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, empty_label="Nobody"
    )

    def __init__(self, *args: Any, staff: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choose(self, "assignee", staff)


class PriorityForm(forms.Form):
    priority = forms.ChoiceField(choices=Priority.choices)
    reason = forms.CharField(
        max_length=255, required=False, help_text="Why it differs from impact and urgency"
    )


class WatcherForm(forms.Form):
    user = forms.ModelChoiceField(queryset=User.objects.none(), label="Add watcher")

    def __init__(self, *args: Any, staff: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choose(self, "user", staff)


def ticket_number(value: str) -> int:
    """``#123`` or ``123`` → 123."""
    text = (value or "").strip().removeprefix("#")
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        raise ValidationError("give a ticket number like #123")
    return int(text)


class LinkForm(forms.Form):
    kind = forms.ChoiceField(choices=LinkKind.choices)
    target = forms.CharField(
        label="Ticket", max_length=20, required=False, help_text="#number, for ticket links"
    )
    reference = forms.CharField(
        max_length=200, required=False, help_text="Asset or alert id, for those links"
    )

    def clean_target(self) -> int | None:
        value = self.cleaned_data.get("target", "")
        return ticket_number(value) if value else None


class MergeForm(forms.Form):
    into = forms.CharField(label="Merge into ticket", max_length=20, help_text="#number")

    def clean_into(self) -> int:
        return ticket_number(self.cleaned_data.get("into", ""))
