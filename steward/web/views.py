"""The dashboard and the client switcher."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from steward.core.models import AuditEntry
from steward.core.validation import MAX_ID
from steward.tenancy.choices import ClientStatus
from steward.tenancy.models import Client
from steward.tenancy.roles import CHANGE_CLIENTS, VIEW_AUDIT
from steward.tenancy.views import SESSION_CLIENT_KEY
from steward.web.navigation import may

RECENT_AUDIT = 8


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Counts of the clients the user sees by status, recent changes for those allowed."""
    visible = Client.objects.visible_to(request.user)
    counts = dict(visible.order_by().values_list("status").annotate(n=Count("pk", distinct=True)))
    by_status = [(value, label, counts.get(value, 0)) for value, label in ClientStatus.choices]
    recent = None
    if may(request.user, VIEW_AUDIT):  # type: ignore[arg-type]
        recent = list(AuditEntry.objects.order_by("-seq")[:RECENT_AUDIT])
    context = {
        "nav_active": "home",
        "by_status": by_status,
        "total": sum(counts.values()),
        "recent": recent,
        "recent_clients": visible.order_by("-updated_at")[:6],
        "can_change": may(request.user, CHANGE_CLIENTS),  # type: ignore[arg-type]
    }
    return render(request, "web/home.html", context)


@login_required
@require_POST
def switch_client(request: HttpRequest) -> HttpResponse:
    """Remember the chosen client in the session and open its page."""
    raw = request.POST.get("client_id", "")
    if not (raw.isascii() and raw.isdigit()) or not 0 < int(raw) <= MAX_ID:
        target = reverse("tenancy:client_list")
    else:
        client = get_object_or_404(Client.objects.visible_to(request.user), pk=int(raw))
        request.session[SESSION_CLIENT_KEY] = client.pk
        target = reverse("tenancy:client_detail", args=[client.pk])
    if request.htmx:  # type: ignore[attr-defined]
        return HttpResponseClientRedirect(target)
    return HttpResponseRedirect(target)
