"""Alerts: the list with filters, one alert with its history, acknowledging it (staff)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from steward.monitoring.forms import AcknowledgeForm, AlertFilterForm
from steward.monitoring.models import Alert, AlertEvent
from steward.monitoring.services.alert_state import acknowledge
from steward.monitoring.views.common import may_configure, page, require_configure, visible
from steward.tenancy.models import Client

PAGE_SIZE = 50


@login_required
def alert_list(request: HttpRequest) -> HttpResponse:
    """The alerts of the clients the user sees, most recently changed first."""
    clients = Client.objects.visible_to(request.user).only("pk", "name").order_by("name")
    form = AlertFilterForm(request.GET or None, clients=clients)
    rows = (
        Alert.objects.visible_to(request.user)
        .filter(**form.filters())
        .select_related("client", "asset")
        .order_by("-updated_at", "-pk")
    )
    found = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page(
        request,
        "monitoring/alert_list.html",
        form=form,
        page=found,
        query=query.urlencode(),
    )


@login_required
def alert_detail(request: HttpRequest, alert_id: int) -> HttpResponse:
    alert = visible(Alert, request, alert_id)
    events = AlertEvent.objects.visible_to(request.user).filter(alert=alert).order_by("at", "pk")
    context: dict[str, Any] = {"alert": alert, "events": events.select_related("actor")}
    if may_configure(request.user):
        context["ack_form"] = AcknowledgeForm()
    return page(request, "monitoring/alert_detail.html", **context)


@login_required
@require_POST
def alert_acknowledge(request: HttpRequest, alert_id: int) -> HttpResponse:
    """Someone is on it: recorded on the alert and in its history."""
    alert = visible(Alert, request, alert_id)
    require_configure(request)
    form = AcknowledgeForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    acknowledge(alert, request.user, note, timezone.now())
    messages.success(request, "Alert acknowledged.")
    return HttpResponseRedirect(reverse("monitoring:alert", args=[alert.pk]))


urlpatterns = [
    path("alerts/", alert_list, name="alerts"),
    path("alerts/<int:alert_id>/", alert_detail, name="alert"),
    path("alerts/<int:alert_id>/acknowledge/", alert_acknowledge, name="alert_acknowledge"),
]
