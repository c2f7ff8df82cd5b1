"""The mail triage queue: received mail that no rule could place (unknown senders, replies
from outside a ticket's client, unreadable messages). MSP staff see it; those who work tickets
decide what each message becomes: a ticket for a client, part of a ticket, or nothing.

Messages come from ``visible_to(request.user)`` (triage rows belong to no client, so staff
only); the client and ticket chosen are looked up the same way.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone

from steward.core.validation import MAX_ID
from steward.servicedesk.api.tickets import may_work
from steward.servicedesk.mail.inbound import triage_text
from steward.servicedesk.mail.triage import (
    add_triage_to_ticket,
    discard_triage,
    in_triage,
    ticket_from_triage,
)
from steward.servicedesk.models import MailMessage, Ticket
from steward.tenancy.models import Client
from steward.tenancy.scoping import is_active_staff

NAV = {"nav_active": "servicedesk"}
PAGE_SIZE = 25
PREVIEW_MAX_BYTES = 2 * 1024 * 1024  # larger messages are not parsed just to show a preview
PREVIEW_CHARS = 600


class TriageForm(forms.Form):
    ACTIONS = [
        ("ticket", "Make a ticket for"),
        ("add", "Add to ticket"),
        ("discard", "Discard"),
    ]
    message = forms.IntegerField(min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)
    action = forms.ChoiceField(choices=ACTIONS)
    client = forms.ModelChoiceField(queryset=Client.objects.none(), required=False)
    ticket = forms.IntegerField(min_value=1, max_value=MAX_ID, required=False, label="Ticket #")

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["client"]
        field.queryset = Client.objects.visible_to(user).order_by("name")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("action") == "ticket" and not data.get("client"):
            self.add_error("client", "choose the client the ticket is for")
        if data.get("action") == "add" and not data.get("ticket"):
            self.add_error("ticket", "give the number of the ticket to add the message to")
        return data


def _rows(page: Any) -> list[dict[str, Any]]:
    rows = []
    for mail in page:
        preview = triage_text(mail)[:PREVIEW_CHARS] if mail.size <= PREVIEW_MAX_BYTES else ""
        rows.append({"mail": mail, "preview": preview})
    return rows


def _page(request: HttpRequest, form: TriageForm | None = None) -> HttpResponse:
    queue = in_triage(request.user)
    page = Paginator(queue, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "servicedesk/mail_triage.html",
        {
            **NAV,
            "page": page,
            "rows": _rows(page),
            "failed": form,
            "can_act": may_work(request.user),
            "clients": Client.objects.visible_to(request.user).order_by("name"),
            "actions": TriageForm.ACTIONS,
        },
    )


def _act(request: HttpRequest, form: TriageForm) -> HttpResponse | None:
    """Carry out a valid form; None (with errors on the form) when a verb refuses."""
    user: Any = request.user
    mail: MailMessage = get_object_or_404(in_triage(user), pk=form.cleaned_data["message"])
    action, now = form.cleaned_data["action"], timezone.now()
    try:
        if action == "ticket":
            ticket = ticket_from_triage(mail, form.cleaned_data["client"], by=user, now=now)
            messages.success(request, f"Opened ticket #{ticket.pk} from the message.")
            return HttpResponseRedirect(reverse("servicedesk:ticket", args=[ticket.pk]))
        if action == "add":
            number = form.cleaned_data["ticket"]
            target = Ticket.objects.visible_to(user).filter(pk=number).first()
            if target is None:
                form.add_error("ticket", f"there is no ticket #{number} that you can see")
                return None
            add_triage_to_ticket(mail, target, by=user, now=now)
            messages.success(request, f"Added the message to ticket #{target.pk}.")
            return HttpResponseRedirect(reverse("servicedesk:ticket", args=[target.pk]))
        discard_triage(mail, by=user)
    except ValidationError as exc:
        for message in exc.messages:
            form.add_error(None, message)
        return None
    messages.success(request, "Discarded the message.")
    return HttpResponseRedirect(reverse("servicedesk:mail_triage"))


@login_required
def triage(request: HttpRequest) -> HttpResponse:
    """GET: the queue. POST: one decision about one message (needs a role that works
    tickets)."""
    if not is_active_staff(request.user):
        raise PermissionDenied("the mail triage queue is for MSP staff")
    if request.method != "POST":
        return _page(request)
    if not may_work(request.user):
        raise PermissionDenied("your role may not act on mail")
    form = TriageForm(request.POST, user=request.user)
    if form.is_valid():
        done = _act(request, form)
        if done is not None:
            return done
    return _page(request, form)


urlpatterns = [path("mail/triage/", triage, name="mail_triage")]
