"""The dispatch board: open tickets nobody has, tickets at risk of breaching their SLA, tickets
that breached it, and each technician's load against capacity.

Staff only (client contacts get 403); every ticket comes through
``Ticket.objects.visible_to(request.user)``, so a technician sees the board of the clients they
work for and another client's ticket is a 404. The board refreshes itself every 30 seconds
(htmx polls ``dispatch_board``, which renders the same partial); reassigning calls
``services.assign``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from steward.servicedesk import routing, services
from steward.servicedesk.models import Queue, TechnicianProfile, Ticket
from steward.servicedesk.models.tickets import OPEN_Q, TicketQuerySet
from steward.tenancy.choices import Role
from steward.tenancy.models import Client, User
from steward.tenancy.roles import ALL_CLIENT_ROLES
from steward.tenancy.scoping import is_active_staff

NAV = {"nav_active": "servicedesk"}
# Roles that hand out work; auditors and account managers look but do not reassign.
DISPATCH_ROLES = frozenset(
    {Role.OWNER, Role.ADMIN, Role.SERVICE_MANAGER, Role.DISPATCHER, Role.TECHNICIAN}
)
COLUMN_LIMIT = 50  # cards per column; the count above each column is the full number


def _staff(request: HttpRequest) -> User:
    if not is_active_staff(request.user):
        raise PermissionDenied("the dispatch board is for MSP staff only")
    return cast(User, request.user)


def may_dispatch(user: User) -> bool:
    return bool(user.is_superuser or user.role in DISPATCH_ROLES)


class DispatchFilter(forms.Form):
    queue = forms.ModelChoiceField(
        queryset=Queue.objects.order_by("name"), required=False, empty_label="All queues"
    )
    client = forms.ModelChoiceField(
        queryset=Client.objects.none(), required=False, empty_label="All clients"
    )

    def __init__(self, data: Any, user: User) -> None:
        super().__init__(data)
        field = cast(forms.ModelChoiceField, self.fields["client"])  # type: ignore[type-arg]
        field.queryset = Client.objects.visible_to(user).order_by("name")

    def valid_filters(self) -> dict[str, Any]:
        """The filters that passed validation (a bad one is reported and left out)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {
            k: v for k, v in self.cleaned_data.items() if v is not None and k not in self.errors
        }


# --- Board data ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Staffer:
    user: User
    sees_all: bool
    client_ids: frozenset[int]

    def sees(self, client_id: int) -> bool:
        return self.sees_all or client_id in self.client_ids


@dataclass(frozen=True)
class Card:
    ticket: Ticket
    due_at: datetime | None
    due_label: str
    url: str | None
    options: list[User]


@dataclass(frozen=True)
class LoadRow:
    user: User
    load: int
    capacity: int
    open_tickets: int
    on_shift: bool

    @property
    def percent(self) -> int:
        return round(100 * self.load / self.capacity) if self.capacity else 100

    @property
    def full(self) -> bool:
        return self.load >= self.capacity


def _ticket_url(ticket_id: int) -> str | None:
    # The ticket page belongs to the tickets part of the UI; link to it once it is installed.
    try:
        return reverse("servicedesk:ticket", args=[ticket_id])
    except NoReverseMatch:
        return None


def _staffers(viewer: User) -> list[Staffer]:
    """Staff who can be given tickets: technicians and anyone with a technician profile."""
    users = list(
        User.objects.visible_to(viewer)
        .filter(is_active=True)
        .exclude(role=Role.CLIENT_CONTACT)
        .filter(Q(role=Role.TECHNICIAN) | Q(technician_profile__isnull=False))
        .order_by("username")
    )
    through = User.assigned_clients.through.objects.filter(user_id__in=[u.pk for u in users])
    assigned: dict[int, set[int]] = {}
    for user_id, client_id in through.values_list("user_id", "client_id"):
        assigned.setdefault(user_id, set()).add(client_id)
    return [
        Staffer(
            u,
            bool(u.is_superuser or u.role in ALL_CLIENT_ROLES or u.sees_all_clients),
            frozenset(assigned.get(u.pk, ())),
        )
        for u in users
    ]


def _due(ticket: Ticket) -> tuple[datetime | None, str]:
    if ticket.responded_at is None and ticket.response_due_at is not None:
        return ticket.response_due_at, "response"
    return ticket.resolution_due_at, "resolution"


def _cards(tickets: Iterable[Ticket], staff: list[Staffer], dispatch: bool) -> list[Card]:
    cards = []
    for ticket in tickets:
        due_at, label = _due(ticket)
        options = [s.user for s in staff if s.sees(ticket.client_id)] if dispatch else []
        cards.append(Card(ticket, due_at, label, _ticket_url(ticket.pk), options))
    return cards


def _column(tickets: Any, order: tuple[str, ...]) -> tuple[Any, int]:
    return tickets.order_by(*order)[:COLUMN_LIMIT], tickets.count()


def _loads(viewer: User, tickets: TicketQuerySet, now: datetime) -> list[LoadRow]:
    profiles = list(
        TechnicianProfile.objects.filter(
            user__in=User.objects.visible_to(viewer).filter(is_active=True).values("pk")
        ).select_related("user", "calendar")
    )
    ids = [p.user_id for p in profiles]
    loads = routing.weighted_loads(tickets, ids)
    counts = routing.open_counts(tickets, ids)
    return [
        LoadRow(
            p.user,
            loads[p.user_id],
            p.capacity,
            counts[p.user_id],
            routing.in_working_hours(p, now),
        )
        for p in profiles
    ]


def board_context(viewer: User, filters: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The three columns and the load summary, as ``viewer`` may see them at ``now``."""
    visible = cast(TicketQuerySet, Ticket.objects.visible_to(viewer))
    tickets = visible.filter(OPEN_Q).select_related("client", "assignee", "queue")
    if "queue" in filters:
        tickets = tickets.filter(queue=filters["queue"])
    if "client" in filters:
        tickets = tickets.filter(client=filters["client"])
    breached_q = Q(response_met=False) | Q(resolution_met=False)
    unassigned, n_unassigned = _column(
        tickets.filter(assignee__isnull=True), ("priority", "created_at", "pk")
    )
    at_risk, n_at_risk = _column(
        tickets.filter(sla_warning_at__lte=now).exclude(breached_q), ("sla_warning_at", "pk")
    )
    breached, n_breached = _column(tickets.filter(breached_q), ("priority", "created_at", "pk"))
    dispatch = may_dispatch(viewer)
    staff = _staffers(viewer) if dispatch else []
    columns = [
        ("unassigned", "Unassigned", _cards(unassigned, staff, dispatch), n_unassigned),
        ("at-risk", "At risk of breach", _cards(at_risk, staff, dispatch), n_at_risk),
        ("breached", "Breached", _cards(breached, staff, dispatch), n_breached),
    ]
    return {
        "columns": columns,
        "loads": _loads(viewer, visible, now),
        "can_dispatch": dispatch,
        "filters": filters,
        "query": urlencode({k: v.pk for k, v in filters.items()}),
        "now": now,
    }


# --- Views --------------------------------------------------------------------------------------


@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    """The dispatch board page, filtered by queue and client."""
    viewer = _staff(request)
    form = DispatchFilter(request.GET or None, viewer)
    context = board_context(viewer, form.valid_filters(), timezone.now())
    status = 400 if form.errors else 200
    return render(
        request, "servicedesk/dispatch.html", {**NAV, **context, "form": form}, status=status
    )


@login_required
@require_GET
def board_partial(request: HttpRequest) -> HttpResponse:
    """The board alone, for htmx to poll."""
    viewer = _staff(request)
    form = DispatchFilter(request.GET or None, viewer)
    context = board_context(viewer, form.valid_filters(), timezone.now())
    return render(request, "servicedesk/_dispatch_board.html", {**context, "show_messages": True})


class ReassignForm(forms.Form):
    assignee = forms.ModelChoiceField(queryset=User.objects.none(), required=False)

    def __init__(self, data: Any, viewer: User) -> None:
        super().__init__(data)
        field = cast(forms.ModelChoiceField, self.fields["assignee"])  # type: ignore[type-arg]
        field.queryset = User.objects.visible_to(viewer).filter(is_active=True)


@login_required
@require_POST
def reassign(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Give a ticket to someone else (or to nobody) from the board."""
    viewer = _staff(request)
    ticket = get_object_or_404(Ticket.objects.visible_to(viewer).filter(OPEN_Q), pk=ticket_id)
    if not may_dispatch(viewer):
        raise PermissionDenied("your role may not reassign tickets")
    form = ReassignForm(request.POST, viewer)
    if not form.is_valid():
        messages.error(request, f"{ticket.number}: assignee: {form.errors['assignee'][0]}")
    else:
        try:
            services.assign(ticket, form.cleaned_data["assignee"], by=viewer)
        except ValidationError as exc:
            messages.error(request, f"{ticket.number}: {'; '.join(exc.messages)}")
        else:
            who = ticket.assignee.get_username() if ticket.assignee else "nobody"
            messages.success(request, f"{ticket.number} assigned to {who}")
    filters = DispatchFilter(request.POST, viewer).valid_filters()
    if request.headers.get("HX-Request"):
        context = board_context(viewer, filters, timezone.now())
        return render(
            request, "servicedesk/_dispatch_board.html", {**context, "show_messages": True}
        )
    query = urlencode({k: v.pk for k, v in filters.items()})
    return HttpResponseRedirect(reverse("servicedesk:dispatch") + (f"?{query}" if query else ""))


urlpatterns = [
    path("dispatch/", board, name="dispatch"),
    path("dispatch/board/", board_partial, name="dispatch_board"),
    path("dispatch/tickets/<int:ticket_id>/assign/", reassign, name="dispatch_assign"),
]
