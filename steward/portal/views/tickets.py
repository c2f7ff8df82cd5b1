"""The client's tickets: list and search, open one, read its public timeline, reply with
files, follow it, and answer its satisfaction survey."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from steward.agreements.api.common import fields_renamed
from steward.portal.access import (
    acting_contact,
    contact_required,
    own_client,
    portal_login_required,
)
from steward.portal.forms import TicketSearchForm
from steward.portal.models import Approval
from steward.portal.views.common import portal_page
from steward.servicedesk import services as desk
from steward.servicedesk.choices import DONE_STATUSES, Source
from steward.servicedesk.forms import ReplyForm, TicketForm
from steward.servicedesk.models import Survey, Ticket, TicketEvent
from steward.servicedesk.queries import visible_tickets
from steward.servicedesk.services.csat import MAX_AGE, survey_token
from steward.servicedesk.views.ticket_display import describe
from steward.servicedesk.views.tickets import add_errors
from steward.tenancy.models import Site

PAGE_SIZE = 25


def search(rows: QuerySet[Ticket], state: str, text: str) -> QuerySet[Ticket]:
    """Open, closed (resolved or closed) or all tickets; ``text`` matches the subject, the
    description or the number (``#42`` or ``42``)."""
    if state == TicketSearchForm.OPEN:
        rows = rows.exclude(status__in=DONE_STATUSES)
    elif state == TicketSearchForm.CLOSED:
        rows = rows.filter(status__in=DONE_STATUSES)
    if text:
        match = Q(subject__icontains=text) | Q(description__icontains=text)
        number = text.removeprefix("#")
        if number.isascii() and number.isdigit() and len(number) < 16:
            match |= Q(pk=int(number))
        rows = rows.filter(match)
    return rows.order_by("-created_at", "-pk")


@contact_required
def ticket_list(request: HttpRequest) -> HttpResponse:
    client = own_client(request)
    form = TicketSearchForm(request.GET)
    state, text = form.state_value(), form.query()
    rows = search(visible_tickets(request.user).filter(client=client), state, text)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({"state": state, "q": text})
    return portal_page(request, "portal/tickets.html", client=client, nav="tickets", form=form,
                       page=page, query=query, state=state)  # fmt: skip


@contact_required
def ticket_create(request: HttpRequest) -> HttpResponse:
    """Open a ticket for the contact's client, with the contact as the requester."""
    contact = acting_contact(request)
    client = contact.client
    sites = Site.objects.visible_to(request.user).filter(client=client).order_by("name")
    form = TicketForm(request.POST or None, clients=None, sites=sites, contacts=None, staff=False)
    if request.method == "POST" and form.is_valid():
        try:
            ticket = desk.open_ticket(
                client, **form.ticket_fields(), requester=contact, by_contact=contact,
                source=Source.PORTAL,
            )  # fmt: skip
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Ticket {ticket.number} opened. We will be in touch.")
            return HttpResponseRedirect(reverse("portal:ticket", args=[ticket.pk]))
    status = 400 if form.errors else 200
    return portal_page(request, "portal/ticket_form.html", client=client, nav="tickets",
                       form=form, status=status)  # fmt: skip


def pending_survey_url(ticket: Ticket, contact_id: int | None, now: datetime) -> str:
    """The survey link of a resolved ticket the contact has not answered yet, while valid."""
    survey = Survey.objects.filter(ticket=ticket, answered_at__isnull=True).first()
    if survey is None or survey.contact_id != contact_id or survey.sent_at + MAX_AGE <= now:
        return ""
    return f"{reverse('servicedesk:survey')}?{urlencode({'token': survey_token(survey)})}"


def public_timeline(ticket: Ticket) -> list[tuple[TicketEvent, str]]:
    """What the client may read: public events only, whoever looks (staff previews too)."""
    rows = TicketEvent.objects.filter(ticket=ticket, public=True).order_by("at", "pk")
    rows = rows.select_related("actor", "actor_contact").prefetch_related("attachments")
    return [(event, describe(event)) for event in rows]


def _ticket(request: HttpRequest, ticket_id: int) -> Ticket:
    return get_object_or_404(visible_tickets(request.user), pk=ticket_id)


def render_ticket(
    request: HttpRequest, ticket: Ticket, status: int = 200, **extra: Any
) -> HttpResponse:
    user: Any = request.user
    contact_id = getattr(getattr(user, "contact", None), "pk", None)
    context: dict[str, Any] = {
        "ticket": ticket,
        "timeline": public_timeline(ticket),
        "approvals": Approval.objects.filter(ticket=ticket).select_related("decided_by"),
        "reply_form": ReplyForm(prefix="reply", staff=False),
        "following": ticket.watchers.filter(pk=user.pk).exists(),
        "survey_url": pending_survey_url(ticket, contact_id, timezone.now()),
    }
    context |= extra
    return portal_page(request, "portal/ticket.html", client=ticket.client, nav="tickets",
                       status=status, **context)  # fmt: skip


@portal_login_required
def ticket_detail(request: HttpRequest, ticket_id: int) -> HttpResponse:
    return render_ticket(request, _ticket(request, ticket_id))


@portal_login_required
@require_POST
def ticket_reply(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """A public reply from the contact, with any files attached to it."""
    ticket = _ticket(request, ticket_id)
    contact = acting_contact(request)
    form = ReplyForm(request.POST, request.FILES, prefix="reply", staff=False)
    if form.is_valid():
        try:
            with transaction.atomic(), fields_renamed({"file": "attach"}):
                event = desk.reply(ticket, form.cleaned_data["body"], by=request.user,  # type: ignore[arg-type]
                                   by_contact=contact)  # fmt: skip
                for upload in form.cleaned_data["attach"]:
                    desk.add_attachment(ticket, upload.name, upload.read(), by=request.user,  # type: ignore[arg-type]
                                        event=event)  # fmt: skip
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Your reply was added.")
            return HttpResponseRedirect(reverse("portal:ticket", args=[ticket.pk]) + "#reply")
    return render_ticket(request, ticket, status=422, reply_form=form)


def _watch(request: HttpRequest, ticket_id: int, follow: bool) -> HttpResponse:
    ticket = _ticket(request, ticket_id)
    acting_contact(request)
    user: Any = request.user
    try:
        if follow:
            desk.add_watcher(ticket, user, by=user)
            messages.success(
                request, "You now follow this ticket: its replies come to you by mail."
            )
        else:
            desk.remove_watcher(ticket, user, by=user)
            messages.success(request, "You no longer follow this ticket.")
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    return HttpResponseRedirect(reverse("portal:ticket", args=[ticket.pk]))


@portal_login_required
@require_POST
def ticket_follow(request: HttpRequest, ticket_id: int) -> HttpResponse:
    return _watch(request, ticket_id, follow=True)


@portal_login_required
@require_POST
def ticket_unfollow(request: HttpRequest, ticket_id: int) -> HttpResponse:
    return _watch(request, ticket_id, follow=False)
