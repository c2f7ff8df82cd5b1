"""Approvals: the client's list, one approval with its decision form, and the staff's request
form (opened from the service desk's ticket page)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, IntegerField, Value, When
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from steward.portal.access import (
    acting_contact,
    contact_required,
    own_client,
    portal_login_required,
)
from steward.portal.choices import Decision
from steward.portal.forms import ApprovalRequestForm, DecisionForm
from steward.portal.models import Approval
from steward.portal.services import ApprovalError, decide, request_approval
from steward.portal.views.common import portal_page
from steward.servicedesk.queries import may_work, visible_tickets
from steward.servicedesk.views.tickets import add_errors
from steward.tenancy.models import Contact

PENDING_FIRST = Case(When(decision=Decision.PENDING, then=Value(0)), default=Value(1),
                     output_field=IntegerField())  # fmt: skip


def visible_approvals(user: Any) -> Any:
    return Approval.objects.visible_to(user).select_related("ticket", "decided_by", "requested_by")


@contact_required
def approval_list(request: HttpRequest) -> HttpResponse:
    client = own_client(request)
    rows = visible_approvals(request.user).filter(client=client)
    rows = rows.order_by(PENDING_FIRST, "-requested_at", "-pk")
    return portal_page(request, "portal/approvals.html", client=client, nav="approvals",
                       approvals=rows)  # fmt: skip


@portal_login_required
def approval_detail(request: HttpRequest, approval_id: int) -> HttpResponse:
    """The question and, while pending, the decision form; its POST decides (contacts only)."""
    approval = get_object_or_404(visible_approvals(request.user), pk=approval_id)
    form = DecisionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        contact = acting_contact(request)
        if form.is_valid():
            try:
                decide(approval, form.cleaned_data["decision"], by=contact,
                       comment=form.cleaned_data["comment"])  # fmt: skip
            except ApprovalError as exc:
                form.add_error(None, exc.messages)  # about the approval, not a field
                status = 409
            except ValidationError as exc:
                add_errors(form, exc)
                status = 400
            else:
                verdict = approval.get_decision_display().lower()
                messages.success(request, f"Thank you: you {verdict} this request.")
                return HttpResponseRedirect(reverse("portal:approval", args=[approval.pk]))
        else:
            status = 400
        approval.refresh_from_db()
    return portal_page(request, "portal/approval.html", client=approval.client, nav="approvals",
                       approval=approval, form=form, status=status)  # fmt: skip


@login_required
def approval_request(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Staff ask the ticket's client to approve out-of-scope work or a change."""
    ticket = get_object_or_404(visible_tickets(request.user), pk=ticket_id)
    if not may_work(request.user):
        raise PermissionDenied("only MSP staff who work tickets ask clients for approval")
    contacts = Contact.objects.filter(client=ticket.client, user__isnull=False).order_by(
        "last_name", "first_name"
    )
    initial = {"contacts": [ticket.requester_id] if ticket.requester_id else []}
    form = ApprovalRequestForm(request.POST or None, contacts=contacts, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            request_approval(ticket, kind=data["kind"], question=data["question"],
                             by=request.user, contacts=data["contacts"])  # type: ignore[arg-type]  # fmt: skip
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "The client was asked for approval.")
            return HttpResponseRedirect(reverse("servicedesk:ticket", args=[ticket.pk]))
    context = {
        "ticket": ticket,
        "form": form,
        "approvals": Approval.objects.filter(ticket=ticket).select_related("decided_by"),
        "nav_active": "servicedesk",
    }
    return render(request, "portal/staff/approval_request.html", context,
                  status=400 if form.errors else 200)  # fmt: skip
