"""Pages of the work area: the time panel of a ticket (an htmx partial), "My time", recurring
schedules per agreement, the public survey page and the satisfaction report.

Time pages are for MSP staff (contacts get 403); objects are looked up through
``visible_to(request.user)``, so another client's object is a 404.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from steward.agreements.models import Agreement, ServiceCategory
from steward.servicedesk.choices import Priority, TicketKind, WorkType
from steward.servicedesk.models import RecurringTicket, Survey, Ticket, TimeEntry
from steward.servicedesk.services import csat, recurring, work
from steward.tenancy.models import Client, User
from steward.tenancy.roles import CHANGE_CLIENTS
from steward.tenancy.scoping import is_active_staff

NAV = {"nav_active": "servicedesk"}


def _staff(request: HttpRequest) -> Any:
    if not is_active_staff(request.user):
        raise PermissionDenied("time is for MSP staff only")
    return request.user


def _errors(form: forms.Form, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def _local_input(value: datetime, zone: str) -> datetime:
    """A datetime-local input read as wall time in ``zone`` (the form field attached the
    current time zone to it; take its wall time back first)."""
    wall = timezone.make_naive(value) if timezone.is_aware(value) else value
    return wall.replace(tzinfo=ZoneInfo(zone))


# --- Time panel on the ticket page --------------------------------------------------------------


class TimeEntryForm(forms.Form):
    started_at = forms.DateTimeField(
        label="Started", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    minutes = forms.IntegerField(min_value=1, max_value=24 * 60)
    work_type = forms.ChoiceField(choices=WorkType.choices, initial=WorkType.REMOTE)
    billable = forms.BooleanField(required=False, initial=True)
    notes = forms.CharField(required=False, max_length=10_000, widget=forms.Textarea({"rows": 2}))


def _ticket(request: HttpRequest, ticket_id: int) -> Ticket:
    # Looked up first: another tenant's ticket is a 404 whoever asks; then contacts get 403.
    rows = Ticket.objects.visible_to(request.user).select_related("client")
    ticket = get_object_or_404(rows, pk=ticket_id)
    _staff(request)
    return ticket


def _panel(request: HttpRequest, ticket: Ticket, form: TimeEntryForm | None = None) -> HttpResponse:
    entries = ticket.time_entries.select_related("technician").order_by("-started_at", "-pk")
    timer = work.running_timer(request.user)  # type: ignore[arg-type]
    totals = entries.aggregate(total=Sum("duration_seconds"))
    now = timezone.now().astimezone(ZoneInfo(ticket.client.timezone))
    form = form or TimeEntryForm(initial={"started_at": now.strftime("%Y-%m-%dT%H:%M")})
    context = {
        "ticket": ticket,
        "entries": entries,
        "timer": timer,
        "timer_here": timer is not None and timer.ticket_id == ticket.pk,
        "total_minutes": (totals["total"] or 0) // 60,
        "form": form,
        "user_id": request.user.pk,
        "is_manager": work.is_manager(request.user),  # type: ignore[arg-type]
    }
    return render(request, "servicedesk/_timer.html", context)


def _after_post(request: HttpRequest, ticket: Ticket) -> HttpResponse:
    if getattr(request, "htmx", False):
        return _panel(request, ticket)
    return HttpResponseRedirect(reverse("servicedesk:my_time"))


@login_required
def time_panel(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """The ticket page's time panel: timer button, entries, add-entry form (hx-get)."""
    return _panel(request, _ticket(request, ticket_id))


@login_required
@require_POST
def time_add(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = _ticket(request, ticket_id)
    form = TimeEntryForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            work.log_time(
                ticket,
                request.user,  # type: ignore[arg-type]
                started_at=_local_input(data["started_at"], ticket.client.timezone),
                duration_seconds=data["minutes"] * 60,
                work_type=data["work_type"],
                billable=data["billable"],
                notes=data["notes"],
            )
        except ValidationError as exc:
            _errors(form, exc)
        else:
            return _after_post(request, ticket)
    return _panel(request, ticket, form)


@login_required
@require_POST
def timer_start(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = _ticket(request, ticket_id)
    work.start_timer(request.user, ticket)  # type: ignore[arg-type]
    return _after_post(request, ticket)


@login_required
@require_POST
def timer_stop(request: HttpRequest) -> HttpResponse:
    """Stops the running timer; answers with the panel of the ticket it ran on."""
    user = _staff(request)
    timer = work.running_timer(user)
    if timer is None:
        return HttpResponseRedirect(reverse("servicedesk:my_time"))
    ticket = timer.ticket
    work.stop_timer(user)
    return _after_post(request, ticket)


@login_required
@require_POST
def time_delete(request: HttpRequest, time_entry_id: int) -> HttpResponse:
    rows = TimeEntry.objects.visible_to(request.user).select_related("ticket__client")
    entry = get_object_or_404(rows, pk=time_entry_id)
    _staff(request)
    ticket = entry.ticket
    work.delete_time_entry(entry, by=request.user)  # type: ignore[arg-type]
    return _after_post(request, ticket)


# --- My time ------------------------------------------------------------------------------------


def _week_start(text: str | None, now: datetime) -> datetime:
    try:
        day = date.fromisoformat(text or "")
    except ValueError:
        day = now.date()
    monday = day - timedelta(days=day.weekday())
    return datetime.combine(monday, time.min, tzinfo=now.tzinfo)


@login_required
def my_time(request: HttpRequest) -> HttpResponse:
    """The signed-in technician's entries of one week (``?week=YYYY-MM-DD``), with totals."""
    user = _staff(request)
    now = timezone.localtime()
    start = _week_start(request.GET.get("week"), now)
    entries = (
        TimeEntry.objects.visible_to(user)
        .filter(technician=user, started_at__gte=start, started_at__lt=start + timedelta(days=7))
        .select_related("ticket", "client")
        .order_by("started_at", "pk")
    )
    billable = sum(e.duration_seconds for e in entries if e.billable)
    total = sum(e.duration_seconds for e in entries)
    return render(
        request,
        "servicedesk/work_my_time.html",
        {
            **NAV,
            "entries": entries,
            "week_start": start,
            "week_end": start + timedelta(days=6),
            "previous": (start - timedelta(days=7)).date().isoformat(),
            "next": (start + timedelta(days=7)).date().isoformat(),
            "billable_minutes": billable // 60,
            "non_billable_minutes": (total - billable) // 60,
            "total_minutes": total // 60,
            "timer": work.running_timer(user),
        },
    )


# --- Recurring tickets --------------------------------------------------------------------------


class RecurringForm(forms.Form):
    subject = forms.CharField(max_length=230)
    description = forms.CharField(required=False, widget=forms.Textarea({"rows": 3}))
    kind = forms.ChoiceField(choices=TicketKind.choices, initial=TicketKind.SERVICE_REQUEST)
    priority = forms.ChoiceField(choices=Priority.choices, initial=Priority.P3)
    category = forms.ModelChoiceField(ServiceCategory.objects.order_by("name"), required=False)
    rrule = forms.CharField(
        label="Rule (RFC 5545 RRULE)",
        max_length=500,
        help_text="e.g. FREQ=MONTHLY;BYDAY=1MO — in the client's time zone",
    )
    dtstart = forms.DateTimeField(
        label="First occurrence",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="Wall time in the client's time zone",
    )
    lead_days = forms.IntegerField(min_value=0, max_value=recurring.MAX_LEAD_DAYS, initial=0)
    active = forms.BooleanField(required=False, initial=True)


def _may_change(request: HttpRequest) -> None:
    user: Any = request.user
    if not (user.is_superuser or user.has_role_permission(CHANGE_CLIENTS)):
        raise PermissionDenied("your role may not change schedules")


def _agreement(request: HttpRequest, agreement_id: int) -> Agreement:
    rows = Agreement.objects.visible_to(request.user).select_related("client")
    return get_object_or_404(rows, pk=agreement_id)


@login_required
def recurring_list(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = _agreement(request, agreement_id)
    rules = agreement.recurring_tickets.select_related("category").order_by("subject", "pk")
    user: Any = request.user
    return render(
        request,
        "servicedesk/recurring_list.html",
        {
            **NAV,
            "agreement": agreement,
            "rules": rules,
            "zone": agreement.client.timezone,
            "can_change": user.is_superuser or user.has_role_permission(CHANGE_CLIENTS),
        },
    )


def _recurring_form(
    request: HttpRequest, agreement: Agreement, row: RecurringTicket | None
) -> HttpResponse:
    _may_change(request)
    zone = agreement.client.timezone
    initial = {}
    if row is not None:
        initial = {f: getattr(row, f) for f in recurring.RULE_FIELDS}
        initial["dtstart"] = row.dtstart.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")
    form = RecurringForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        fields["dtstart"] = _local_input(fields["dtstart"], zone)
        try:
            if row is None:
                recurring.create_recurring(agreement, **fields)
            else:
                recurring.update_recurring(row, fields)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            return HttpResponseRedirect(reverse("servicedesk:recurring_list", args=[agreement.pk]))
    title = f"Edit “{row.subject}”" if row else "New recurring ticket"
    context = {**NAV, "form": form, "agreement": agreement, "title": title, "zone": zone}
    return render(request, "servicedesk/recurring_form.html", context)


@login_required
def recurring_create(request: HttpRequest, agreement_id: int) -> HttpResponse:
    return _recurring_form(request, _agreement(request, agreement_id), None)


def _rule(request: HttpRequest, recurring_ticket_id: int) -> RecurringTicket:
    rows = RecurringTicket.objects.visible_to(request.user).select_related("agreement__client")
    return get_object_or_404(rows, pk=recurring_ticket_id)


@login_required
def recurring_edit(request: HttpRequest, recurring_ticket_id: int) -> HttpResponse:
    row = _rule(request, recurring_ticket_id)
    return _recurring_form(request, row.agreement, row)


@login_required
@require_POST
def recurring_deactivate(request: HttpRequest, recurring_ticket_id: int) -> HttpResponse:
    row = _rule(request, recurring_ticket_id)
    _may_change(request)
    recurring.deactivate_recurring(row)
    return HttpResponseRedirect(reverse("servicedesk:recurring_list", args=[row.agreement_id]))


# --- Survey (public) and results ----------------------------------------------------------------


def survey(request: HttpRequest) -> HttpResponse:
    """The one-click survey page, no login: GET shows the form with the clicked rating, only
    POST records it (link scanners GET, never POST)."""
    token = request.POST.get("token") or request.GET.get("token") or ""
    try:
        row = csat.survey_from_token(token)
    except csat.SurveyLinkError as exc:
        return render(request, "servicedesk/survey_invalid.html", {"reason": str(exc)}, status=400)
    context: dict[str, Any] = {"survey": row, "ticket": row.ticket, "token": token}
    context["ratings"] = csat.RATINGS
    if row.answered_at is not None:
        return render(request, "servicedesk/survey_thanks.html", context)
    chosen = request.POST.get("rating") or request.GET.get("rating") or ""
    context |= {"chosen": chosen, "comment": request.POST.get("comment", "")}
    if request.method == "POST":
        try:
            csat.answer_survey(row, chosen, request.POST.get("comment", ""))
        except ValidationError as exc:
            context["errors"] = [m for msgs in exc.message_dict.values() for m in msgs]
        else:
            return render(request, "servicedesk/survey_thanks.html", context)
    status = 422 if context.get("errors") else 200
    return render(request, "servicedesk/survey.html", context, status=status)


@login_required
def csat_report(request: HttpRequest) -> HttpResponse:
    """Satisfaction: overall, per technician and per client, with the rating distribution."""
    _staff(request)
    surveys = Survey.objects.visible_to(request.user)
    since = request.GET.get("since") or ""
    try:
        start = date.fromisoformat(since)
        day = datetime.combine(start, time.min, tzinfo=timezone.get_current_timezone())
        surveys = surveys.filter(sent_at__gte=day)
    except ValueError:
        since = ""
    by_technician = csat.csat_by(surveys, "technician")
    names = dict(
        User.objects.filter(pk__in=[pk for pk, _ in by_technician]).values_list("pk", "username")
    )
    clients = dict(Client.objects.visible_to(request.user).values_list("pk", "name"))
    context = {
        **NAV,
        "since": since,
        "summary": csat.csat_summary(surveys),
        "by_technician": [(names.get(pk, "(nobody)"), s) for pk, s in by_technician],
        "by_client": [(clients.get(pk, "—"), s) for pk, s in csat.csat_by(surveys, "client")],
    }
    return render(request, "servicedesk/survey_report.html", context)


urlpatterns = [
    path("tickets/<int:ticket_id>/time/", time_panel, name="time_panel"),
    path("tickets/<int:ticket_id>/time/add/", time_add, name="time_add"),
    path("tickets/<int:ticket_id>/timer/start/", timer_start, name="timer_start"),
    path("timer/stop/", timer_stop, name="timer_stop"),
    path("time/<int:time_entry_id>/delete/", time_delete, name="time_delete"),
    path("time/", my_time, name="my_time"),
    path("agreements/<int:agreement_id>/recurring/", recurring_list, name="recurring_list"),
    path("agreements/<int:agreement_id>/recurring/new/", recurring_create, name="recurring_create"),
    path("recurring/<int:recurring_ticket_id>/edit/", recurring_edit, name="recurring_edit"),
    path(
        "recurring/<int:recurring_ticket_id>/deactivate/",
        recurring_deactivate,
        name="recurring_deactivate",
    ),
    path("survey/", survey, name="survey"),
    path("csat/", csat_report, name="csat"),
]
