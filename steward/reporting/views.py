"""Staff pages of the reporting app: the report list, a report (HTML, PDF, CSV), a client's
schedule, stored versions and deliveries. Every lookup starts at ``visible_to(request.user)``,
and client contacts are sent away (they read their reports in the portal)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from steward.obligations.periods import Period
from steward.reporting.services import (
    ReportError,
    available_periods,
    build_service_report,
    render_csv,
    render_html,
    render_pdf,
)
from steward.tenancy.models import Client
from steward.tenancy.scoping import is_active_staff

NAV = {"nav_active": "reporting"}
RECENT_MONTHS = 3


def staff_client(request: HttpRequest, client_id: int) -> Client:
    """The client, if the user is MSP staff who sees it; a 404 otherwise (not a 403, which
    would tell that the client exists)."""
    if not is_active_staff(request.user):
        raise Http404("no such client")
    return get_object_or_404(Client.objects.visible_to(request.user), pk=client_id)


def page(request: HttpRequest, template: str, status: int = 200, **context: Any) -> HttpResponse:
    return render(request, template, {**NAV, **context}, status=status)


def _period(request: HttpRequest, client: Client) -> str:
    """The ``period`` query parameter, by default the last complete month in the client's zone."""
    given = request.GET.get("period", "").strip()
    if given:
        return given
    return Period.at(timezone.now(), client.timezone).previous().key


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Clients the user sees, with their recent complete months."""
    if not is_active_staff(request.user):
        raise Http404("reports are in the portal for client contacts")
    now = timezone.now()
    clients = Client.objects.visible_to(request.user).order_by("name")
    rows = [
        (c, [Period.at(now, c.timezone).shift(-n).key for n in range(1, RECENT_MONTHS + 1)])
        for c in clients
    ]
    return page(request, "reporting/index.html", rows=rows)


@login_required
@require_GET
def report(request: HttpRequest, client_id: int) -> HttpResponse:
    client = staff_client(request, client_id)
    period = _period(request, client)
    try:
        built = build_service_report(client, period)
    except ReportError as exc:
        return page(request, "reporting/report_page.html", status=400, client=client, error=exc)
    periods = available_periods(client, timezone.now())
    return page(
        request,
        "reporting/report_page.html",
        client=client,
        report=built,
        body=render_html(built),
        periods=periods,
    )


def _download(request: HttpRequest, client_id: int, kind: str) -> HttpResponse:
    client = staff_client(request, client_id)
    try:
        built = build_service_report(client, _period(request, client))
        if kind == "pdf":
            paper = request.GET.get("paper", "a4")
            data, content_type = render_pdf(built, paper=paper), "application/pdf"
            name = f"{built.filename_stem}-{paper}.pdf"
        else:
            data, content_type = render_csv(built), "text/csv; charset=utf-8"
            name = f"{built.filename_stem}.csv"
    except ReportError as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
def report_pdf(request: HttpRequest, client_id: int) -> HttpResponse:
    return _download(request, client_id, "pdf")


@login_required
@require_GET
def report_csv(request: HttpRequest, client_id: int) -> HttpResponse:
    return _download(request, client_id, "csv")
