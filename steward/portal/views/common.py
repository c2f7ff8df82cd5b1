"""What every portal page shares: the branded shell's context and its navigation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from steward.core.branding import branding
from steward.portal.access import is_contact
from steward.tenancy.models import Client

# The client's status page (steward/portal/status_urls.py), linked once that name exists.
STATUS_URL_NAME = "portal:status_client"


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url: str


def status_url(client: Client | None) -> str | None:
    """The client's status page, or None while the status pages do not name one."""
    if client is None:
        return None
    try:
        return reverse(STATUS_URL_NAME, args=[client.pk])
    except NoReverseMatch:
        return None


def nav_items(client: Client | None) -> list[NavItem]:
    items = [
        NavItem("home", "Home", reverse("portal:home")),
        NavItem("tickets", "Tickets", reverse("portal:tickets")),
        NavItem("approvals", "Approvals", reverse("portal:approvals")),
        NavItem("reports", "Reports", reverse("portal:reports")),
        NavItem("scorecard", "Scorecard", reverse("portal:scorecard")),
        NavItem("assets", "Assets", reverse("portal:assets")),
    ]
    status = status_url(client)
    if status is not None:
        items.append(NavItem("status", "Status", status))
    return items


def portal_page(
    request: HttpRequest,
    template: str,
    *,
    client: Client | None,
    nav: str = "",
    status: int = 200,
    **context: Any,
) -> HttpResponse:
    """Render ``template`` in the portal shell. ``preview``: staff looking at a client's page."""
    base = {
        "brand": branding(),
        "client": client,
        "nav": nav_items(client),
        "nav_active": nav,
        "preview": not is_contact(request.user),
    }
    return render(request, template, {**base, **context}, status=status)
