"""Ticket pages: the list (filters, SLA badges), a ticket with its SLA clocks and timeline, the
new-ticket and edit forms, and one POST view per action, each calling a service verb.

Tickets are looked up through ``visible_to(request.user)`` (another client's ticket is a 404);
client contacts read and reply to their own client's tickets and see public events only; the
staff actions need a role that works tickets (``may_work``), else 403.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from steward.agreements.api.common import fields_renamed
from steward.servicedesk import services
from steward.servicedesk.choices import EventKind, Source
from steward.servicedesk.forms import (
    NOTE,
    PLAN,
    AssignForm,
    LinkForm,
    MergeForm,
    PriorityForm,
    ReplyForm,
    StatusForm,
    TicketEditForm,
    TicketFilterForm,
    TicketForm,
    WatcherForm,
)
from steward.servicedesk.models import Ticket, TicketLink
from steward.servicedesk.queries import (
    attachment_response,
    contact_of,
    may_work,
    newest_first,
    visible_attachments,
    visible_events,
    visible_tickets,
)
from steward.servicedesk.views.ticket_display import describe, sla_badge, sla_clocks, span
from steward.tenancy.choices import Role
from steward.tenancy.models import Client, Contact, Site, User
from steward.tenancy.scoping import is_active_staff

NAV = {"nav_active": "servicedesk"}
PAGE_SIZE = 50

# --- Lookups and permissions --------------------------------------------------------------------


def _ticket(request: HttpRequest, ticket_id: int) -> Ticket:
    return get_object_or_404(visible_tickets(request.user), pk=ticket_id)


def _require_worker(request: HttpRequest) -> None:
    if not may_work(request.user):
        raise PermissionDenied("only MSP staff who work tickets may do this")


def _contact(request: HttpRequest) -> Contact | None:
    """The caller's Contact when a client contact (403 when their login has none)."""
    if is_active_staff(request.user):
        return None
    contact = contact_of(request.user)
    if contact is None:
        raise PermissionDenied("your login is not linked to a contact of your client")
    return contact


def workers(user: Any) -> Any:
    """Staff who may be given tickets or watch them, among the users ``user`` sees."""
    rows = User.objects.visible_to(user).filter(is_active=True)
    return rows.exclude(role__in=[Role.CLIENT_CONTACT, Role.AUDITOR]).order_by("username")


def add_errors(form: Any, exc: ValidationError) -> None:
    """Put a service's errors on the form's fields (or the form when it has no such field)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def page(request: HttpRequest, template: str, status: int = 200, **context: Any) -> HttpResponse:
    context = {**NAV, "can_work": may_work(request.user), **context}
    return render(request, template, context, status=status)


# --- The list -----------------------------------------------------------------------------------


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Tickets the user sees, newest first, filtered like the API; 50 a page."""
    user: Any = request.user
    staff = workers(user) if is_active_staff(user) else None
    clients = Client.objects.visible_to(user).only("pk", "name").order_by("name")
    form = TicketFilterForm(request.GET, clients=clients, staff=staff)
    now = timezone.now()
    rows, count = newest_first(visible_tickets(user), form.filters(), user, now)
    paginator = Paginator(rows, PAGE_SIZE)
    paginator.count = count  # counted already, with the same filters
    found = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context: dict[str, Any] = {
        "form": form,
        "page": found,
        "rows": [(ticket, sla_badge(ticket, now)) for ticket in found],
        "query": query.urlencode(),
        "now": now,
    }
    htmx: Any = request.htmx  # type: ignore[attr-defined]
    if htmx and htmx.target == "ticket-results":
        return page(request, "servicedesk/_ticket_results.html", **context)
    return page(request, "servicedesk/index.html", **context)


# --- A ticket -----------------------------------------------------------------------------------


def _staff_forms(request: HttpRequest, ticket: Ticket) -> dict[str, Any]:
    staff = workers(request.user)
    return {
        "status_form": StatusForm(prefix="status"),
        "assign_form": AssignForm(
            prefix="assign", staff=staff, initial={"assignee": ticket.assignee_id}
        ),
        "priority_form": PriorityForm(prefix="priority", initial={"priority": ticket.priority}),
        "watcher_form": WatcherForm(prefix="watcher", staff=staff),
        "link_form": LinkForm(prefix="link"),
        "merge_form": MergeForm(prefix="merge"),
    }


def render_ticket(request: HttpRequest, ticket: Ticket, status: int = 200, **forms: Any) -> Any:
    """The ticket page; ``forms`` replace the blank ones (a bound form with its errors)."""
    user: Any = request.user
    now = timezone.now()
    worker = may_work(user)
    context: dict[str, Any] = {
        "ticket": ticket,
        "clocks": sla_clocks(ticket, now),
        "paused": span(ticket.paused_business_seconds) if ticket.paused_business_seconds else "",
        "timeline": [(e, describe(e)) for e in visible_events(user, ticket).order_by("at", "pk")],
        "attachments": visible_attachments(user).filter(ticket=ticket),
        "reply_form": ReplyForm(prefix="reply", staff=worker),
        "staff_view": is_active_staff(user),
        "now": now,
    }
    if is_active_staff(user):
        context["watchers"] = ticket.watchers.order_by("username")
        context["links"] = TicketLink.objects.visible_to(user).filter(ticket=ticket)
        context["merged_into"] = ticket.merged_into_id
    if worker:
        context |= _staff_forms(request, ticket)
    context |= forms
    return page(request, "servicedesk/ticket_detail.html", status=status, **context)


@login_required
def ticket_detail(request: HttpRequest, ticket_id: int) -> HttpResponse:
    return render_ticket(request, _ticket(request, ticket_id))  # type: ignore[no-any-return]


def _detail(ticket: Ticket) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("servicedesk:ticket", args=[ticket.pk]))


def _sites_and_contacts(user: Any, client: Client | None = None) -> tuple[Any, Any]:
    sites = Site.objects.visible_to(user).select_related("client").order_by("client__name", "name")
    contacts = Contact.objects.visible_to(user).order_by("last_name", "first_name")
    if client is not None:
        sites, contacts = sites.filter(client=client), contacts.filter(client=client)
    return sites, contacts


@login_required
def ticket_create(request: HttpRequest) -> HttpResponse:
    """Staff open a ticket for any client they see; a contact opens one for their own client
    (as the requester, from the portal)."""
    user: Any = request.user
    contact = _contact(request)
    if contact is None:
        _require_worker(request)
    sites, contacts = _sites_and_contacts(user, contact.client if contact else None)
    clients = Client.objects.visible_to(user).order_by("name")
    form = TicketForm(
        request.POST or None, clients=clients, sites=sites, contacts=contacts, staff=not contact
    )
    if request.method == "POST" and form.is_valid():
        try:
            if contact is not None:
                ticket = services.open_ticket(
                    contact.client, **form.ticket_fields(), requester=contact,
                    by_contact=contact, source=Source.PORTAL,
                )  # fmt: skip
            else:
                client = form.cleaned_data["client"]
                ticket = services.open_ticket(client, **form.ticket_fields(), by=user)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Ticket {ticket.number} opened.")
            return _detail(ticket)
    cancel = reverse("servicedesk:index")
    return page(request, "servicedesk/ticket_form.html", form=form, title="New ticket",
                cancel=cancel)  # fmt: skip


@login_required
def ticket_edit(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = _ticket(request, ticket_id)
    _require_worker(request)
    sites, contacts = _sites_and_contacts(request.user, ticket.client)
    form = TicketEditForm(request.POST or None, ticket=ticket, sites=sites, contacts=contacts)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_ticket(ticket, form.changes(), by=request.user)  # type: ignore[arg-type]
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Ticket {ticket.number} saved.")
            return _detail(ticket)
    cancel = reverse("servicedesk:ticket", args=[ticket.pk])
    return page(request, "servicedesk/ticket_form.html", form=form,
                title=f"Edit {ticket.number}", cancel=cancel)  # fmt: skip


@login_required
def attachment_download(request: HttpRequest, attachment_id: int) -> HttpResponse:
    found = get_object_or_404(visible_attachments(request.user), pk=attachment_id)
    return attachment_response(found)


# --- Actions ------------------------------------------------------------------------------------

Run = Callable[[HttpRequest, Ticket, Any], str]


def _act(request: HttpRequest, ticket_id: int, name: str, form: Any, run: Run) -> HttpResponse:
    """Validate ``form``, ``run`` the service verb (its message on success), or show the
    ticket again with the form's errors (status 422)."""
    ticket = _ticket(request, ticket_id)
    if name != "reply_form" or is_active_staff(request.user):
        _require_worker(request)  # contacts may reply; of the staff, those who work tickets
    bound = form(request, ticket)
    if bound.is_valid():
        try:
            done = run(request, ticket, bound.cleaned_data)
        except ValidationError as exc:
            add_errors(bound, exc)
        else:
            messages.success(request, done)
            return _detail(ticket)
    return render_ticket(request, ticket, status=422, **{name: bound})  # type: ignore[no-any-return]


def _reply(request: HttpRequest, ticket: Ticket, data: dict[str, Any]) -> str:
    user: Any = request.user
    contact = _contact(request)
    mode = data.get("mode", "reply")
    with transaction.atomic(), fields_renamed({"file": "attach"}):
        if contact is not None:
            event = services.reply(ticket, data["body"], by=user, by_contact=contact)
        elif mode == PLAN:
            event = services.give_plan(ticket, data["body"], by=user)
        else:
            event = services.reply(ticket, data["body"], by=user, public=mode != NOTE)
        for upload in data["attach"]:
            services.add_attachment(ticket, upload.name, upload.read(), by=user, event=event)
    return f"{EventKind(event.kind).label} added."


def _status(request: HttpRequest, ticket: Ticket, data: dict[str, Any]) -> str:
    services.change_status(ticket, data["status"], by=request.user, reason=data["reason"])  # type: ignore[arg-type]
    return f"Status is now {ticket.get_status_display()}."


def _assign(request: HttpRequest, ticket: Ticket, data: dict[str, Any]) -> str:
    services.assign(ticket, data["assignee"], by=request.user)  # type: ignore[arg-type]
    return f"Assigned to {data['assignee']}." if data["assignee"] else "Unassigned."


def _priority(request: HttpRequest, ticket: Ticket, data: dict[str, Any]) -> str:
    with fields_renamed({"priority_reason": "reason"}):
        services.set_priority(ticket, data["priority"], reason=data["reason"], by=request.user)  # type: ignore[arg-type]
    return f"Priority is now {ticket.priority}."


def _watch(request: HttpRequest, ticket: Ticket, data: dict[str, Any]) -> str:
    services.add_watcher(ticket, data["user"], by=request.user)  # type: ignore[arg-type]
    return f"{data['user']} now watches this ticket."


def _other(request: HttpRequest, number: int | None, field: str) -> Ticket | None:
    if number is None:
        return None
    found = Ticket.objects.visible_to(request.user).filter(pk=number).first()
    if found is None:
        raise ValidationError({field: f"no ticket #{number}"})
    return found


def _link(request: HttpRequest, ticket: Ticket, data: dict[str, Any]) -> str:
    target = _other(request, data["target"], "target")
    services.link(ticket, data["kind"], target=target, reference=data["reference"],
                  by=request.user)  # type: ignore[arg-type]  # fmt: skip
    return "Link added."


def _merge(request: HttpRequest, ticket: Ticket, data: dict[str, Any]) -> str:
    into = _other(request, data["into"], "into")
    assert into is not None
    services.merge(ticket, into, by=request.user)  # type: ignore[arg-type]
    return f"Merged into {into.number}."


def _form(cls: Any, prefix: str, **extra: Callable[[HttpRequest], Any]) -> Any:
    def make(request: HttpRequest, ticket: Ticket) -> Any:
        kwargs = {name: value(request) for name, value in extra.items()}
        return cls(request.POST, request.FILES, prefix=prefix, **kwargs)

    return make


ACTIONS: dict[str, tuple[str, Any, Run]] = {
    "reply": ("reply_form", _form(ReplyForm, "reply", staff=lambda r: may_work(r.user)), _reply),
    "status": ("status_form", _form(StatusForm, "status"), _status),
    "assign": ("assign_form", _form(AssignForm, "assign", staff=lambda r: workers(r.user)),
               _assign),
    "priority": ("priority_form", _form(PriorityForm, "priority"), _priority),
    "watchers": ("watcher_form", _form(WatcherForm, "watcher", staff=lambda r: workers(r.user)),
                 _watch),
    "links": ("link_form", _form(LinkForm, "link"), _link),
    "merge": ("merge_form", _form(MergeForm, "merge"), _merge),
}  # fmt: skip


def _action_view(action: str) -> Callable[..., HttpResponse]:
    name, form, run = ACTIONS[action]

    @login_required
    @require_POST
    def view(request: HttpRequest, ticket_id: int) -> HttpResponse:
        return _act(request, ticket_id, name, form, run)

    view.__name__ = f"ticket_{action}"
    return view


@login_required
@require_POST
def watcher_remove(request: HttpRequest, ticket_id: int, user_id: int) -> HttpResponse:
    ticket = _ticket(request, ticket_id)
    _require_worker(request)
    user = get_object_or_404(ticket.watchers.all(), pk=user_id)
    services.remove_watcher(ticket, user, by=request.user)  # type: ignore[arg-type]
    messages.success(request, f"{user} no longer watches this ticket.")
    return _detail(ticket)


urlpatterns = [
    path("tickets/", index, name="index"),
    path("tickets/new/", ticket_create, name="ticket_create"),
    path("tickets/<int:ticket_id>/", ticket_detail, name="ticket"),
    path("tickets/<int:ticket_id>/edit/", ticket_edit, name="ticket_edit"),
    *(
        path(f"tickets/<int:ticket_id>/{action}/", _action_view(action), name=f"ticket_{action}")
        for action in ACTIONS
    ),
    path(
        "tickets/<int:ticket_id>/watchers/<int:user_id>/remove/",
        watcher_remove,
        name="ticket_watcher_remove",
    ),
    path(
        "attachments/<int:attachment_id>/download/",
        attachment_download,
        name="attachment_download",
    ),
]
