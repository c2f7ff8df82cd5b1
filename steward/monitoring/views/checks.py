"""The check editor: a client's checks, a form per check type, enabling and disabling.

Secrets (SNMP communities and keys) are write-only: the form never renders them, and an empty
secret input keeps the stored value (``services.update_check``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from steward.monitoring import services
from steward.monitoring.choices import CheckType, CollectorKind
from steward.monitoring.forms import CheckForm, param_errors
from steward.monitoring.models import Asset, Check, Collector
from steward.monitoring.services.config import secret_names
from steward.monitoring.views.common import page, require_configure, visible, visible_client
from steward.tenancy.models import Client


@login_required
def check_list(request: HttpRequest, client_id: int) -> HttpResponse:
    client = visible_client(request, client_id)
    checks = (
        Check.objects.visible_to(request.user)
        .filter(client=client)
        .select_related("asset", "collector", "current")
        .order_by("name", "pk")
    )
    return page(
        request, "monitoring/check_list.html", client=client, checks=checks, types=CheckType
    )


def _choices(request: HttpRequest, client: Client) -> dict[str, Any]:
    # The client's own collectors and the MSP's hosted ones (visible_to lets staff see those).
    collectors = (
        Collector.objects.visible_to(request.user)
        .filter(kind=CollectorKind.COLLECTOR, revoked_at__isnull=True)
        .filter(Q(client=client) | Q(client__isnull=True))
        .order_by("name")
    )
    assets = Asset.objects.visible_to(request.user).filter(client=client).order_by("name")
    return {"collectors": collectors, "assets": assets}


def _save(
    request: HttpRequest, form: CheckForm, client: Client, check: Check | None
) -> Check | None:
    """Create or update through the services; their errors land on the form's fields."""
    params = form.params()
    if form.errors:
        return None
    fields = form.common()
    try:
        if check is None:
            return services.create_check(
                client,
                type=form.check_type,
                params=params,
                enabled=form.cleaned_data["enabled"],
                **fields,
            )
        return services.update_check(
            check, {**fields, "enabled": form.cleaned_data["enabled"], "params": params}
        )
    except ValidationError as exc:
        for name, errors in param_errors(exc).items():
            form.add_error(name if name in form.fields else None, errors)
        return None


def _check_form(
    request: HttpRequest, client: Client, check: Check | None, check_type: str
) -> HttpResponse:
    require_configure(request)
    data = request.POST if request.method == "POST" else None
    form = CheckForm(
        data,
        initial=CheckForm.initial_of(check) if check else {"asset": request.GET.get("asset")},
        check_type=check_type,
        secrets_set=frozenset(secret_names(check)) if check else frozenset(),
        **_choices(request, client),
    )
    if data is not None and form.is_valid():
        saved = _save(request, form, client, check)
        if saved is not None:
            messages.success(request, f"Saved check {saved.name}.")
            return HttpResponseRedirect(reverse("monitoring:checks", args=[client.pk]))
    title = f"Edit {check.name}" if check else f"New {CheckType(check_type).label} check"
    return page(
        request,
        "monitoring/check_form.html",
        400 if form.errors else 200,
        form=form,
        title=title,
        client=client,
        check=check,
        check_type=CheckType(check_type),
        types=CheckType,
    )


@login_required
def check_create(request: HttpRequest, client_id: int) -> HttpResponse:
    """``?type=`` picks the check type (HTTP when absent); the form shows that type's params."""
    client = visible_client(request, client_id)
    check_type = request.GET.get("type") or CheckType.HTTP
    if check_type not in CheckType.values:
        raise Http404("no such check type")
    return _check_form(request, client, None, check_type)


@login_required
def check_edit(request: HttpRequest, check_id: int) -> HttpResponse:
    check = visible(Check, request, check_id)
    return _check_form(request, check.client, check, check.type)


@login_required
@require_POST
def check_toggle(request: HttpRequest, check_id: int) -> HttpResponse:
    """Disable an enabled check, enable a disabled one."""
    check = visible(Check, request, check_id)
    require_configure(request)
    services.update_check(check, {"enabled": not check.enabled})
    state = "enabled" if check.enabled else "disabled"
    messages.success(request, f"Check {check.name} {state}.")
    return HttpResponseRedirect(reverse("monitoring:checks", args=[check.client_id]))


urlpatterns = [
    path("clients/<int:client_id>/checks/", check_list, name="checks"),
    path("clients/<int:client_id>/checks/new/", check_create, name="check_create"),
    path("checks/<int:check_id>/edit/", check_edit, name="check_edit"),
    path("checks/<int:check_id>/toggle/", check_toggle, name="check_toggle"),
]
