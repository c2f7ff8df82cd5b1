"""Status page views: the client's page (contacts of the client and staff who see it), its
JSON, the public secret URL, and the staff settings page with the public URL controls."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from steward.core.branding import branding
from steward.monitoring.views.common import add_errors, may_configure
from steward.portal.status import services
from steward.portal.status.forms import StatusPageForm
from steward.portal.status.snapshot import as_json, snapshot
from steward.tenancy.models import Client
from steward.tenancy.scoping import is_active_staff


def _client(request: HttpRequest, client_id: int) -> Client:
    """The client, when the user sees it: its own contacts and the staff assigned to it."""
    return get_object_or_404(Client.objects.visible_to(request.user), pk=client_id)


def _render_page(request: HttpRequest, view: Any, *, public: bool) -> HttpResponse:
    staff = is_active_staff(request.user) and not public
    client_id = view.page.client_id
    back = reverse("monitoring:client", args=[client_id]) if staff else reverse("portal:home")
    context = {
        "view": view,
        "back": back,
        "brand": view.brand,
        "public": public,
        "staff": staff,
        "can_configure": staff and may_configure(request.user),
    }
    response = render(request, "portal/status/page.html", context)
    if public:
        # A secret URL: keep it out of logs of third parties and out of search engines.
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Robots-Tag"] = "noindex"
    return response


@never_cache
@login_required
@require_GET
def client_page(request: HttpRequest, client_id: int) -> HttpResponse:
    client = _client(request, client_id)
    view = snapshot(services.page_for(client), timezone.now(), public=False)
    return _render_page(request, view, public=False)


@never_cache
@login_required
@require_GET
def client_json(request: HttpRequest, client_id: int) -> HttpResponse:
    client = _client(request, client_id)
    view = snapshot(services.page_for(client), timezone.now(), public=False)
    return JsonResponse(as_json(view))


def _public(token: str) -> Any:
    page = services.find_public(token)
    if page is None:
        raise Http404("no such status page")
    return snapshot(page, timezone.now(), public=True)


@never_cache
@require_GET
def public_page(request: HttpRequest, token: str) -> HttpResponse:
    return _render_page(request, _public(token), public=True)


@never_cache
@require_GET
def public_json(request: HttpRequest, token: str) -> HttpResponse:
    response = JsonResponse(as_json(_public(token)))
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _configurable(request: HttpRequest, client_id: int) -> Client:
    client = _client(request, client_id)  # another client's page is a 404 first
    if not may_configure(request.user):
        raise PermissionDenied("only MSP staff may change a status page")
    return client


def _settings(
    request: HttpRequest, client: Client, form: StatusPageForm, new_url: str = ""
) -> HttpResponse:
    page = services.page_for(client)
    context = {
        "client": client,
        "page": page,
        "form": form,
        "new_url": new_url,
        "nav_active": "monitoring",
        "brand": branding(),
    }
    return render(request, "portal/status/settings.html", context, status=200)


@login_required
def settings_page(request: HttpRequest, client_id: int) -> HttpResponse:
    client = _configurable(request, client_id)
    page = services.page_for(client)
    if request.method != "POST":
        return _settings(request, client, StatusPageForm(page=page))
    form = StatusPageForm(request.POST, page=page)
    if form.is_valid():
        try:
            services.update_page(
                page,
                headline=form.cleaned_data["headline"],
                intro=form.cleaned_data["intro"],
                hidden=form.cleaned_data["hidden_checks"],
                now=timezone.now(),
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return redirect(reverse("portal:status_settings", args=[client.pk]))
    return _settings(request, client, form)


@login_required
@require_POST
def publish(request: HttpRequest, client_id: int) -> HttpResponse:
    """Turn the public URL on, or rotate it: the new URL is in this response only."""
    client = _configurable(request, client_id)
    page = services.page_for(client)
    token = services.publish(page, timezone.now())
    url = request.build_absolute_uri(reverse("portal:status_public", args=[token]))
    response = _settings(request, client, StatusPageForm(page=page), new_url=url)
    response.headers["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def unpublish(request: HttpRequest, client_id: int) -> HttpResponse:
    client = _configurable(request, client_id)
    services.unpublish(services.page_for(client), timezone.now())
    return redirect(reverse("portal:status_settings", args=[client.pk]))


@require_GET
def stylesheet(request: HttpRequest) -> HttpResponse:
    """The page's CSS with the MSP's colours (no inline styles: the CSP forbids them)."""
    response = render(
        request, "portal/status/status.css", {"brand": branding()}, content_type="text/css"
    )
    response.headers["Cache-Control"] = "max-age=300"
    return response
