"""The delivery log: every notice to every recipient, its attempts, and "retry now"."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from steward.notify import services
from steward.notify.forms import DeliveryFilter
from steward.notify.models import Delivery
from steward.notify.views.common import page, require_configure, require_staff, visible
from steward.tenancy.models import Client

PAGE_SIZE = 50


@login_required
def delivery_log(request: HttpRequest) -> HttpResponse:
    require_staff(request)
    form = DeliveryFilter(request.GET or None)
    rows = Delivery.objects.visible_to(request.user).select_related("client", "notification")
    if form.is_valid():
        if form.cleaned_data["status"]:
            rows = rows.filter(status=form.cleaned_data["status"])
        if form.cleaned_data["kind"]:
            rows = rows.filter(kind=form.cleaned_data["kind"])
        if form.cleaned_data["client"]:
            rows = rows.filter(client_id=form.cleaned_data["client"])
    listing = Paginator(rows.order_by("-created_at", "-pk"), PAGE_SIZE)
    found = listing.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page(
        request,
        "notify/delivery_list.html",
        form=form,
        page=found,
        clients=Client.objects.visible_to(request.user).order_by("name"),
        query=query.urlencode(),
    )


@login_required
def delivery_detail(request: HttpRequest, delivery_id: int) -> HttpResponse:
    row = visible(Delivery, request, delivery_id)
    return page(request, "notify/delivery_detail.html", delivery=row, notification=row.notification)


@login_required
@require_POST
def delivery_retry(request: HttpRequest, delivery_id: int) -> HttpResponse:
    row = visible(Delivery, request, delivery_id)
    require_configure(request)
    status = services.retry_now(row, timezone.now())
    row.refresh_from_db()
    if getattr(request, "htmx", False):
        return page(request, "notify/_delivery_row.html", d=row)
    if status == "sent":
        messages.success(request, f"Sent to {row.label}.")
    else:
        messages.error(request, f"Not sent to {row.label}: {row.last_error or status}")
    return HttpResponseRedirect(reverse("notify:delivery", args=[row.pk]))
