"""The portal's home: what needs the contact, and where things stand."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from steward.core.branding import branding
from steward.portal.access import contact_required, own_client
from steward.portal.choices import Decision
from steward.portal.models import Approval
from steward.portal.views.assets import client_maintenance
from steward.portal.views.common import portal_page
from steward.servicedesk.choices import DONE_STATUSES
from steward.servicedesk.queries import visible_tickets

RECENT = 5


@contact_required
def home(request: HttpRequest) -> HttpResponse:
    client = own_client(request)
    tickets = visible_tickets(request.user).filter(client=client)
    open_tickets = tickets.exclude(status__in=DONE_STATUSES)
    pending = Approval.objects.visible_to(request.user).filter(
        client=client, decision=Decision.PENDING
    )
    return portal_page(
        request,
        "portal/home.html",
        client=client,
        nav="home",
        open_count=open_tickets.count(),
        recent=list(open_tickets.order_by("-updated_at", "-pk")[:RECENT]),
        pending=list(pending.select_related("ticket").order_by("-requested_at")),
        maintenance=client_maintenance(request.user, client),
        zone=client.timezone,
        now=timezone.now(),
    )


def brand_css(request: HttpRequest) -> HttpResponse:
    """The MSP's colours as CSS variables: the site's CSP allows no inline styles."""
    brand = branding()
    css = (
        f":root {{ --brand: {brand.colour}; --brand-dark: {brand.colour}; "
        f"--portal-brand: {brand.colour}; --portal-accent: {brand.accent}; }}\n"
    )
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    return response
