"""Web pages for business calendars: list, create, edit, and the preview (due date and week)."""

from __future__ import annotations

import json
from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from steward.agreements import services
from steward.agreements.forms import CalendarForm, PreviewForm
from steward.agreements.models import BusinessCalendar
from steward.agreements.views import add_errors, page, require_change
from steward.agreements.weekview import HOUR_TICKS, ROW, WIDTH, week_rows
from steward.core import businesstime
from steward.tenancy.models import Client


@login_required
def calendar_list(request: HttpRequest) -> HttpResponse:
    calendars = BusinessCalendar.objects.visible_to(request.user).select_related("client")
    return page(request, "agreements/calendar_list.html", calendars=calendars)


@login_required
def calendar_create(request: HttpRequest) -> HttpResponse:
    require_change(request)
    clients = Client.objects.visible_to(request.user).order_by("name")
    form = CalendarForm(request.POST or None, clients=clients)
    if request.method == "POST" and form.is_valid():
        try:
            calendar = services.create_calendar(
                form.cleaned_data["spec"], client=form.cleaned_data.get("client")
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Calendar “{calendar.name}” created.")
            return HttpResponseRedirect(reverse("agreements:calendar", args=[calendar.pk]))
    cancel = reverse("agreements:calendars")
    return page(request, "agreements/form.html", form=form, title="New calendar", cancel=cancel)


def _calendar(request: HttpRequest, business_calendar_id: int) -> BusinessCalendar:
    rows = BusinessCalendar.objects.visible_to(request.user).select_related("client")
    return get_object_or_404(rows, pk=business_calendar_id)


@login_required
def calendar_edit(request: HttpRequest, business_calendar_id: int) -> HttpResponse:
    calendar = _calendar(request, business_calendar_id)
    require_change(request)
    initial = {"spec": json.dumps(calendar.spec, indent=2)}
    form = CalendarForm(request.POST or None, initial=initial)
    detail = reverse("agreements:calendar", args=[calendar.pk])
    if request.method == "POST" and form.is_valid():
        try:
            services.update_calendar(calendar, form.cleaned_data["spec"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Calendar saved.")
            return HttpResponseRedirect(detail)
    title = f"Edit {calendar.name}"
    return page(request, "agreements/form.html", form=form, title=title, cancel=detail)


def _monday(request: HttpRequest, today: date) -> date:
    try:
        chosen = date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        chosen = today
    if not 1900 <= chosen.year <= 2999:
        chosen = today
    return chosen - timedelta(days=chosen.weekday())


@login_required
def calendar_detail(request: HttpRequest, business_calendar_id: int) -> HttpResponse:
    """The calendar's JSON form, its week (``?week=YYYY-MM-DD``) and a due-date preview
    (``?start=…&seconds=…``, the start read as wall time in the calendar's zone)."""
    calendar = _calendar(request, business_calendar_id)
    spec = calendar.calendar_spec()
    today = timezone.now().astimezone(spec.zone).date()
    monday = _monday(request, today)
    form = PreviewForm(request.GET if "start" in request.GET else None)
    due = start = None
    if form.is_bound and form.is_valid():
        start = form.start_in(spec.timezone)
        try:
            due = businesstime.add(spec, start, form.cleaned_data["seconds"])
        except ValueError as exc:
            form.add_error("seconds", str(exc))
    return page(
        request,
        "agreements/calendar_detail.html",
        calendar=calendar,
        spec_json=json.dumps(calendar.spec, indent=2),
        form=form,
        start=start,
        due=due,
        rows=week_rows(spec, monday),
        monday=monday,
        previous_week=monday - timedelta(days=7),
        next_week=monday + timedelta(days=7),
        ticks=HOUR_TICKS,
        svg_width=WIDTH,
        svg_height=ROW * 7,
    )
