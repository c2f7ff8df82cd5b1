"""The audit log browser: owners, admins and auditors only."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render

from steward.api.audit import filter_audit
from steward.core.audit import verify_chain
from steward.core.models import AuditEntry
from steward.tenancy.models import Client
from steward.tenancy.roles import VIEW_AUDIT
from steward.web.forms import AuditFilterForm
from steward.web.navigation import may

PAGE_SIZE = 50


def _require_audit(request: HttpRequest) -> None:
    if not may(request.user, VIEW_AUDIT):  # type: ignore[arg-type]
        raise PermissionDenied("your role does not include the audit log")


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    """Entries newest first, filtered by the same rules as GET /api/v1/audit."""
    _require_audit(request)
    clients = list(Client.objects.visible_to(request.user).only("pk", "name"))
    object_types = list(
        AuditEntry.objects.order_by("object_type").values_list("object_type", flat=True).distinct()
    )
    form = AuditFilterForm(request.GET or None, object_types=object_types, clients=clients)
    entries = AuditEntry.objects.order_by("-seq")
    if form.is_bound and form.is_valid():
        entries = filter_audit(entries, form.to_filter())
    elif form.is_bound:
        entries = entries.none()
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context: dict[str, Any] = {
        "nav_active": "audit",
        "form": form,
        "page": page,
        "entries": page.object_list,
        "query": query.urlencode(),
        "client_names": {c.pk: c.name for c in clients},
    }
    template = "web/audit/_results.html" if request.htmx else "web/audit/log.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """Walk the whole hash chain and say whether every link holds (POST: it reads every row)."""
    _require_audit(request)  # before the method check, so others learn nothing but "403"
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    problem = verify_chain()
    context = {"problem": problem, "count": AuditEntry.objects.count()}
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "web/audit/_verify.html", context)
    return render(request, "web/audit/verify.html", {**context, "nav_active": "audit"})
