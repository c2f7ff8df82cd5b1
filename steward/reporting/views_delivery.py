"""Staff pages for a client's report schedule, stored versions and deliveries, with the
"generate now" and "send now" actions. Auditors read; other staff change."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from steward.reporting.forms import GenerateForm, ScheduleForm, SendForm
from steward.reporting.models import ReportDelivery, ReportSchedule, StoredReport
from steward.reporting.services import ReportError, available_periods
from steward.reporting.services.delivery import ScheduleSpec, save_schedule, send_now
from steward.reporting.services.store import generate
from steward.reporting.views import page, staff_client
from steward.tenancy.choices import Role
from steward.tenancy.scoping import is_active_staff

LISTED = 50


def may_change(user: Any) -> bool:
    return is_active_staff(user) and (user.is_superuser or user.role != Role.AUDITOR)


def _require_change(request: HttpRequest) -> None:
    if not may_change(request.user):
        raise PermissionDenied("auditors read reports; other staff change their schedules")


def _schedule_form(
    request: HttpRequest, client: Any, schedule: ReportSchedule | None
) -> ScheduleForm:
    if request.method == "POST":
        return ScheduleForm(request.POST, client=client)
    initial: dict[str, Any] = {}
    if schedule is not None:
        initial = {
            "business_day": schedule.business_day,
            "send_time": schedule.send_time,
            "calendar": schedule.calendar_id,
            "contacts": list(schedule.contacts.values_list("pk", flat=True)),
            "paper": schedule.paper,
            "enabled": schedule.enabled,
        }
    return ScheduleForm(initial=initial or None, client=client)


@login_required
@require_http_methods(["GET", "POST"])
def client_reports(request: HttpRequest, client_id: int) -> HttpResponse:
    """The client's schedule (editable), stored versions and deliveries."""
    client = staff_client(request, client_id)
    schedule = ReportSchedule.objects.filter(client=client).first()
    form = _schedule_form(request, client, schedule)
    if request.method == "POST":
        _require_change(request)
        if form.is_valid():
            data = form.cleaned_data
            spec = ScheduleSpec(
                business_day=data["business_day"],
                send_time=data["send_time"],
                contacts=list(data["contacts"]),
                paper=data["paper"],
                enabled=data["enabled"],
                calendar=data["calendar"],
            )
            try:
                save_schedule(client, spec)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "Report schedule saved.")
                return redirect("reporting:client", client_id=client.pk)
    periods = available_periods(client, timezone.now())
    reports = StoredReport.objects.filter(client=client).defer("pdf")[:LISTED]
    deliveries = ReportDelivery.objects.filter(client=client).select_related("report")[:LISTED]
    return page(
        request,
        "reporting/client.html",
        status=400 if request.method == "POST" else 200,
        client=client,
        schedule=schedule
        if request.method == "GET"
        else ReportSchedule.objects.filter(client=client).first(),
        form=form,
        generate_form=GenerateForm(periods=periods),
        send_form=SendForm(client=client),
        reports=reports,
        deliveries=deliveries,
        can_change=may_change(request.user),
    )


@login_required
@require_POST
def generate_now(request: HttpRequest, client_id: int) -> HttpResponse:
    client = staff_client(request, client_id)
    _require_change(request)
    form = GenerateForm(request.POST, periods=available_periods(client, timezone.now()))
    if not form.is_valid():
        errors = "; ".join(f"{name}: {' '.join(map(str, e))}" for name, e in form.errors.items())
        messages.error(request, f"Not generated: {errors}")
        return redirect("reporting:client", client_id=client.pk)
    try:
        stored = generate(
            client,
            form.cleaned_data["period"],
            paper=form.cleaned_data["paper"],
            by=request.user,  # type: ignore[arg-type]
        )
    except (ReportError, ValueError) as exc:
        messages.error(request, f"Not generated: {exc}")
    else:
        messages.success(request, f"Generated {stored.period} version {stored.version}.")
    return redirect("reporting:client", client_id=client.pk)


def _stored(request: HttpRequest, storedreport_id: int) -> StoredReport:
    if not is_active_staff(request.user):
        raise PermissionDenied("staff only")
    rows = StoredReport.objects.visible_to(request.user).select_related("client")  # type: ignore[attr-defined]
    return get_object_or_404(rows, pk=storedreport_id)  # type: ignore[no-any-return]


@login_required
@require_POST
def send_stored(request: HttpRequest, storedreport_id: int) -> HttpResponse:
    """Mail one stored version to the chosen contacts now."""
    report = _stored(request, storedreport_id)
    _require_change(request)
    form = SendForm(request.POST, client=report.client)
    if not form.is_valid():
        messages.error(request, "Not sent: choose at least one contact of the client.")
        return redirect("reporting:client", client_id=report.client_id)
    deliveries = send_now(report, form.cleaned_data["contacts"], by=request.user)  # type: ignore[arg-type]
    sent = sum(d.status == "sent" for d in deliveries)
    if sent == len(deliveries):
        messages.success(request, f"Sent to {sent} contact{'s' if sent != 1 else ''}.")
    else:
        messages.warning(
            request, f"Sent to {sent} of {len(deliveries)}; the others are retried automatically."
        )
    return redirect("reporting:client", client_id=report.client_id)


@login_required
def stored_pdf(request: HttpRequest, storedreport_id: int) -> HttpResponse:
    report = _stored(request, storedreport_id)
    response = HttpResponse(bytes(report.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{report.filename}"'
    return response
