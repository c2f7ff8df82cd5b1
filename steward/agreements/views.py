"""Web pages: agreements (per client), SOWs, licenses, reminders, calendars with a preview.

Every object is looked up through ``visible_to(request.user)`` (another client's object is a
404 whatever the URL says); changes need ``clients.change`` (else 403) and go through the
service verbs.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from steward.agreements import services
from steward.agreements.choices import AssignmentStatus
from steward.agreements.forms import (
    AgreementForm,
    LicenseForm,
    SeatsForm,
    SlaPolicyForm,
    SowForm,
    policy_initial,
)
from steward.agreements.models import (
    Agreement,
    BusinessCalendar,
    License,
    Reminder,
    ServiceOffering,
    StatementOfWork,
)
from steward.tenancy.models import Client
from steward.tenancy.roles import CHANGE_CLIENTS

NAV = {"nav_active": "agreements"}


def may_change(request: HttpRequest) -> bool:
    user: Any = request.user
    return bool(user.is_superuser or user.has_role_permission(CHANGE_CLIENTS))


def require_change(request: HttpRequest) -> None:
    if not may_change(request):
        raise PermissionDenied("your role may not change agreements")


def add_errors(form: Any, exc: ValidationError) -> None:
    """Put a service's validation errors on the form's fields (or the form when unknown)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def page(request: HttpRequest, template: str, **context: Any) -> HttpResponse:
    return render(request, template, {**NAV, "can_change": may_change(request), **context})


def form_page(request: HttpRequest, form: Any, title: str, cancel: str) -> HttpResponse:
    return page(request, "agreements/form.html", form=form, title=title, cancel=cancel)


# --- Agreements ---------------------------------------------------------------------------------


def _agreement_rows(agreements: Any) -> list[dict[str, Any]]:
    rows = []
    for agreement in agreements:
        today = agreement.today()
        rows.append(
            {
                "agreement": agreement,
                "dates": agreement.dates(today),
                "upcoming": agreement.upcoming_notice_deadline(today),
                "today": today,
            }
        )
    return rows


@login_required
def index(request: HttpRequest, client_id: int | None = None) -> HttpResponse:
    """Every agreement the user sees (or one client's), with renewal and notice dates."""
    client = None
    agreements = Agreement.objects.visible_to(request.user).select_related("client")
    if client_id is not None:
        client = get_object_or_404(Client.objects.visible_to(request.user), pk=client_id)
        agreements = agreements.filter(client=client)
    open_reminders = Reminder.objects.visible_to(request.user).filter(acknowledged_at=None)
    if client is not None:
        open_reminders = open_reminders.filter(client=client)
    return page(
        request,
        "agreements/index.html",
        client=client,
        rows=_agreement_rows(agreements.order_by("client__name", "start_date", "pk")),
        open_reminders=open_reminders.count(),
    )


def _agreement(request: HttpRequest, agreement_id: int) -> Agreement:
    rows = Agreement.objects.visible_to(request.user).select_related("client")
    return get_object_or_404(rows, pk=agreement_id)


@login_required
def agreement_detail(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = _agreement(request, agreement_id)
    (row,) = _agreement_rows([agreement])
    policies = agreement.sla_policies.select_related("calendar").prefetch_related(
        "targets__calendar"
    )
    return page(
        request,
        "agreements/agreement_detail.html",
        row=row,
        agreement=agreement,
        client=agreement.client,
        sows=agreement.sows.prefetch_related("included_offerings").order_by("start_date", "pk"),
        policy=services.policy_in_effect(agreement, timezone.now()),
        versions=policies.order_by("-version"),
        licenses=agreement.licenses.order_by("vendor", "product"),
    )


@login_required
def agreement_create(request: HttpRequest) -> HttpResponse:
    require_change(request)
    clients = Client.objects.visible_to(request.user).order_by("name")
    form = AgreementForm(request.POST or None, clients=clients)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        try:
            agreement = services.create_agreement(fields.pop("client"), **fields)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Agreement “{agreement.reference}” created.")
            return HttpResponseRedirect(reverse("agreements:agreement", args=[agreement.pk]))
    return form_page(request, form, "New agreement", reverse("agreements:index"))


@login_required
def agreement_edit(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = _agreement(request, agreement_id)
    require_change(request)
    form = AgreementForm(request.POST or None, instance=agreement)
    detail = reverse("agreements:agreement", args=[agreement.pk])
    if request.method == "POST" and form.is_valid():
        try:
            services.update_agreement(
                agreement, {f: form.cleaned_data[f] for f in form.changed_data}
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Agreement saved.")
            return HttpResponseRedirect(detail)
    return form_page(request, form, f"Edit {agreement}", detail)


@login_required
def sla_policy_edit(request: HttpRequest, agreement_id: int) -> HttpResponse:
    """Create the agreement's SLA policy, or edit it: saving adds a version, the current one
    is closed (never changed), so past instants keep their terms."""
    agreement = _agreement(request, agreement_id)
    require_change(request)
    calendars = BusinessCalendar.objects.visible_to(request.user).filter(
        Q(client__isnull=True) | Q(client=agreement.client)
    )
    current = services.policy_in_effect(agreement, timezone.now())
    initial = policy_initial(current) if current else {"name": "Standard SLA"}
    form = SlaPolicyForm(request.POST or None, calendars=calendars, initial=initial)
    detail = reverse("agreements:agreement", args=[agreement.pk])
    if request.method == "POST" and form.is_valid():
        try:
            if current is None:
                services.create_sla_policy(
                    agreement, targets=form.targets(), **form.policy_fields()
                )
            else:
                services.update_sla_policy(current, form.policy_fields(), targets=form.targets())
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request, "SLA policy saved as a new version." if current else "SLA policy created."
            )
            return HttpResponseRedirect(detail)
    title = f"SLA policy of {agreement}"
    return form_page(request, form, title, detail)


# --- Statements of work -------------------------------------------------------------------------


@login_required
def sow_detail(request: HttpRequest, statement_of_work_id: int) -> HttpResponse:
    rows = StatementOfWork.objects.visible_to(request.user).select_related("agreement__client")
    sow = get_object_or_404(rows, pk=statement_of_work_id)
    return page(
        request,
        "agreements/sow_detail.html",
        sow=sow,
        agreement=sow.agreement,
        included=sow.included_offerings.prefetch_related("categories"),
        excluded=sow.excluded_offerings.all(),
    )


def _save_sow(request: HttpRequest, form: SowForm, agreement: Agreement) -> StatementOfWork | None:
    fields = dict(form.cleaned_data)
    scope = {
        "included": fields.pop("included_offerings"),
        "excluded": fields.pop("excluded_offerings"),
    }
    try:
        if form.instance.pk is None:
            return services.create_sow(agreement, **scope, **fields)
        return services.update_sow(form.instance, fields, **scope)
    except ValidationError as exc:
        add_errors(form, exc)
        return None


@login_required
def sow_create(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = _agreement(request, agreement_id)
    require_change(request)
    form = SowForm(request.POST or None, initial={"start_date": agreement.start_date})
    if request.method == "POST" and form.is_valid():
        sow = _save_sow(request, form, agreement)
        if sow is not None:
            messages.success(request, f"Statement of work “{sow.title}” added.")
            return HttpResponseRedirect(reverse("agreements:sow", args=[sow.pk]))
    cancel = reverse("agreements:agreement", args=[agreement.pk])
    return form_page(request, form, "New statement of work", cancel)


@login_required
def sow_edit(request: HttpRequest, statement_of_work_id: int) -> HttpResponse:
    rows = StatementOfWork.objects.visible_to(request.user).select_related("agreement")
    sow = get_object_or_404(rows, pk=statement_of_work_id)
    require_change(request)
    initial = {
        "included_offerings": list(sow.included_offerings.all()),
        "excluded_offerings": list(sow.excluded_offerings.all()),
    }
    form = SowForm(request.POST or None, instance=sow, initial=initial)
    if request.method == "POST" and form.is_valid() and _save_sow(request, form, sow.agreement):
        messages.success(request, "Statement of work saved.")
        return HttpResponseRedirect(reverse("agreements:sow", args=[sow.pk]))
    return form_page(request, form, f"Edit {sow}", reverse("agreements:sow", args=[sow.pk]))


@login_required
def catalog(request: HttpRequest) -> HttpResponse:
    offerings = ServiceOffering.objects.prefetch_related("categories").order_by("name")
    return page(request, "agreements/catalog.html", offerings=offerings)


# --- Licenses -----------------------------------------------------------------------------------

ASSIGNMENT_FILTERS = {
    AssignmentStatus.OVER: {"assigned_seats__gt": F("seats")},
    AssignmentStatus.UNDER: {"assigned_seats__lt": F("seats")},
    AssignmentStatus.OK: {"assigned_seats": F("seats")},
}


@login_required
def license_list(request: HttpRequest) -> HttpResponse:
    """Licenses with seat badges; ``?assignment=over|under|ok`` filters."""
    licenses = License.objects.visible_to(request.user).select_related("client", "agreement")
    assignment = request.GET.get("assignment", "")
    if assignment in ASSIGNMENT_FILTERS:
        licenses = licenses.filter(**ASSIGNMENT_FILTERS[AssignmentStatus(assignment)])
    return page(
        request,
        "agreements/license_list.html",
        licenses=licenses.order_by("client__name", "vendor", "product"),
        assignment=assignment,
        assignments=AssignmentStatus.choices,
    )


@login_required
def license_create(request: HttpRequest) -> HttpResponse:
    require_change(request)
    clients = Client.objects.visible_to(request.user).order_by("name")
    form = LicenseForm(request.POST or None, clients=clients)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        try:
            services.create_license(fields.pop("client"), **fields)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "License added.")
            return HttpResponseRedirect(reverse("agreements:licenses"))
    return form_page(request, form, "New license", reverse("agreements:licenses"))


def _license(request: HttpRequest, license_id: int) -> License:
    return get_object_or_404(License.objects.visible_to(request.user), pk=license_id)


@login_required
def license_edit(request: HttpRequest, license_id: int) -> HttpResponse:
    lic = _license(request, license_id)
    require_change(request)
    form = LicenseForm(request.POST or None, instance=lic)
    if request.method == "POST" and form.is_valid():
        changes = {f: form.cleaned_data[f] for f in form.changed_data}
        try:
            services.update_license(lic, changes)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "License saved.")
            return HttpResponseRedirect(reverse("agreements:licenses"))
    return form_page(request, form, f"Edit {lic}", reverse("agreements:licenses"))


@login_required
@require_POST
def license_seats(request: HttpRequest, license_id: int) -> HttpResponse:
    lic = _license(request, license_id)
    require_change(request)
    form = SeatsForm(request.POST)
    if form.is_valid():
        services.set_assigned_seats(lic, form.cleaned_data["assigned_seats"])
        messages.success(request, f"{lic}: {lic.assigned_seats} of {lic.seats} seats assigned.")
    else:
        errors = "; ".join(str(e) for e in form.errors.get("assigned_seats", []))
        messages.error(request, f"Assigned seats: {errors}")
    return HttpResponseRedirect(reverse("agreements:licenses"))


# --- Reminders ----------------------------------------------------------------------------------


@login_required
def reminder_list(request: HttpRequest) -> HttpResponse:
    """Open reminders first (by deadline); ``?all=1`` includes acknowledged ones."""
    reminders = Reminder.objects.visible_to(request.user).select_related("client", "subject_type")
    reminders = reminders.prefetch_related("subject")
    show_all = request.GET.get("all") == "1"
    if not show_all:
        reminders = reminders.filter(acknowledged_at=None)
    today = timezone.now().date()
    rows = [
        {"reminder": r, "days_left": (r.due_date - today).days}
        for r in reminders.order_by("due_date", "threshold", "pk")[:500]
    ]
    return page(request, "agreements/reminder_list.html", rows=rows, show_all=show_all)


@login_required
@require_POST
def reminder_acknowledge(request: HttpRequest, reminder_id: int) -> HttpResponse:
    reminder = get_object_or_404(Reminder.objects.visible_to(request.user), pk=reminder_id)
    require_change(request)
    services.acknowledge_reminder(reminder, request.user)  # type: ignore[arg-type]
    messages.success(request, "Reminder acknowledged.")
    return HttpResponseRedirect(reverse("agreements:reminders"))
