"""The client's monthly service reports: the list, one report in the page, its PDF.

Reports are built on request from the reporting app's builders (nothing is stored), for the
months that ``available_periods`` offers the contact's own client: there is no report id to
guess, and a month outside that list is a 404.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe

from steward.portal.access import contact_required, own_client
from steward.portal.views.common import portal_page
from steward.reporting.services import (
    ReportError,
    ServiceReport,
    available_periods,
    build_service_report,
    render_html,
    render_pdf,
)
from steward.tenancy.models import Client


def _report(request: HttpRequest, client: Client) -> ServiceReport:
    period = request.GET.get("period", "").strip()
    now = timezone.now()
    if period not in available_periods(client, now):
        raise Http404("no report for that month")
    try:
        return build_service_report(client, period, now=now)
    except ReportError as exc:
        raise Http404(str(exc)) from None


@contact_required
def report_list(request: HttpRequest) -> HttpResponse:
    client = own_client(request)
    periods = available_periods(client, timezone.now())
    return portal_page(request, "portal/reports.html", client=client, nav="reports",
                       periods=periods)  # fmt: skip


@contact_required
def report_view(request: HttpRequest) -> HttpResponse:
    client = own_client(request)
    report = _report(request, client)
    body = mark_safe(render_html(report))  # noqa: S308  the reporting app escapes its own output
    return portal_page(request, "portal/report.html", client=client, nav="reports",
                       report=report, body=body)  # fmt: skip


@contact_required
def report_pdf(request: HttpRequest) -> HttpResponse:
    client = own_client(request)
    report = _report(request, client)
    response = HttpResponse(render_pdf(report), content_type="application/pdf")
    disposition = content_disposition_header(True, f"{report.filename_stem}.pdf")
    response["Content-Disposition"] = disposition or "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    return response
