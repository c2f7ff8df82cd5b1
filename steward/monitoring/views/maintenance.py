"""The maintenance calendar of a client: a month grid (weeks from Monday, days in the client's
time zone) with each occurrence of its windows; windows shown to the client are marked, and
client contacts see only those."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from steward.monitoring.forms import WindowForm
from steward.monitoring.models import Asset, MaintenanceWindow
from steward.monitoring.rules import maintenance
from steward.monitoring.rules.model import Occurrence
from steward.monitoring.services import windows
from steward.monitoring.services.windows import windows_of
from steward.monitoring.views.alerting import visible_windows
from steward.monitoring.views.common import (
    add_errors,
    client_zone,
    page,
    require_configure,
    visible,
    visible_client,
)
from steward.tenancy.models import Client
from steward.tenancy.scoping import is_active_staff


@dataclass
class Entry:
    window: MaintenanceWindow
    start: datetime  # local
    end: datetime  # local


@dataclass
class Day:
    day: date
    in_month: bool
    today: bool
    entries: list[Entry] = field(default_factory=list)


def month_of(text: str | None, today: date) -> date:
    """The first day of ``YYYY-MM`` (this month when absent or unreadable)."""
    try:
        year, month = (int(part) for part in (text or "").split("-"))
        if 1900 <= year <= 2200:  # far years would overflow the grid's date arithmetic
            return date(year, month, 1)
    except ValueError:
        pass
    return today.replace(day=1)


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    # A midnight that does not exist (a DST jump at 00:00) reads as the first instant after.
    return datetime.combine(day, time(0), tzinfo=zone)


def month_grid(
    first: date,
    found: list[tuple[MaintenanceWindow, Occurrence]],
    zone: ZoneInfo,
    today: date,
) -> list[list[Day]]:
    """Whole weeks (Monday first) covering the month of ``first``; each day lists the
    occurrences that overlap it in ``zone``, an occurrence over midnight on both days."""
    start = first - timedelta(days=first.weekday())
    after = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    end = after + timedelta(days=(7 - after.weekday()) % 7)
    weeks: list[list[Day]] = []
    day = start
    while day < end:
        lower, upper = _local_midnight(day, zone), _local_midnight(day + timedelta(days=1), zone)
        cell = Day(day, day.month == first.month, day == today)
        for row, occurrence in found:
            if occurrence.start < upper and lower < occurrence.end:
                cell.entries.append(
                    Entry(row, occurrence.start.astimezone(zone), occurrence.end.astimezone(zone))
                )
        if day.weekday() == 0:
            weeks.append([])
        weeks[-1].append(cell)
        day += timedelta(days=1)
    return weeks


@login_required
def calendar(request: HttpRequest, client_id: int) -> HttpResponse:
    client = visible_client(request, client_id)
    zone = client_zone(client)
    today = timezone.now().astimezone(zone).date()
    first = month_of(request.GET.get("month"), today)
    grid_start = _local_midnight(first - timedelta(days=first.weekday()), zone)
    grid_end = grid_start + timedelta(days=43)
    rows = {row.pk: row for row in visible_windows(request.user).filter(client=client)}
    found = [
        (rows[int(window.id)], occurrence)
        for window in windows_of([client.pk])
        if int(window.id) in rows
        for occurrence in maintenance.occurrences(window, grid_start, grid_end)
    ]
    found.sort(key=lambda pair: pair[1].start)
    previous = (first - timedelta(days=1)).replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    context: dict[str, Any] = {
        "client": client,
        "zone": zone,
        "month": first,
        "weeks": month_grid(first, found, zone, today),
        "previous": f"{previous:%Y-%m}",
        "following": f"{following:%Y-%m}",
        "windows": sorted(rows.values(), key=lambda r: r.starts_at),
    }
    return page(request, "monitoring/calendar.html", **context)


def _window_form(
    request: HttpRequest, client: Client, row: MaintenanceWindow | None
) -> HttpResponse:
    require_configure(request)
    assets = Asset.objects.visible_to(request.user).filter(client=client).order_by("name")
    data = request.POST if request.method == "POST" else None
    initial = (
        WindowForm.initial_of(row)
        if row
        else {"timezone": client.timezone or "UTC", "shown_to_client": True}
    )
    form = WindowForm(data, initial=initial, assets=assets)
    if data is not None and form.is_valid():
        chosen = list(form.cleaned_data["assets"])
        try:
            if row is None:
                windows.create_window(client, chosen, created_by=request.user, **form.values())
            else:
                windows.update_window(row, form.values(), chosen)
        except ValidationError as exc:
            add_errors(form, exc, {"asset_ids": "assets", "duration_seconds": "duration_minutes"})
        else:
            messages.success(request, f"Saved maintenance window {form.cleaned_data['title']}.")
            return HttpResponseRedirect(reverse("monitoring:calendar", args=[client.pk]))
    return page(
        request,
        "monitoring/window_form.html",
        400 if form.errors else 200,
        form=form,
        client=client,
        title=f"Edit {row.title}" if row else "New maintenance window",
        cancel=reverse("monitoring:calendar", args=[client.pk]),
    )


@login_required
def window_create(request: HttpRequest, client_id: int) -> HttpResponse:
    return _window_form(request, visible_client(request, client_id), None)


def _window(request: HttpRequest, maintenance_window_id: int) -> MaintenanceWindow:
    row = visible(MaintenanceWindow, request, maintenance_window_id)
    if not row.shown_to_client and not is_active_staff(request.user):
        raise Http404("no such window")
    return row


@login_required
def window_edit(request: HttpRequest, maintenance_window_id: int) -> HttpResponse:
    row = _window(request, maintenance_window_id)
    return _window_form(request, row.client, row)


@login_required
@require_POST
def window_delete(request: HttpRequest, maintenance_window_id: int) -> HttpResponse:
    row = _window(request, maintenance_window_id)
    require_configure(request)
    client_id = row.client_id
    windows.delete_window(row)
    messages.success(request, f"Deleted maintenance window {row.title}.")
    return HttpResponseRedirect(reverse("monitoring:calendar", args=[client_id]))


urlpatterns = [
    path("clients/<int:client_id>/maintenance/", calendar, name="calendar"),
    path("clients/<int:client_id>/maintenance/new/", window_create, name="window_create"),
    path("maintenance/<int:maintenance_window_id>/edit/", window_edit, name="window_edit"),
    path("maintenance/<int:maintenance_window_id>/delete/", window_delete, name="window_delete"),
]
