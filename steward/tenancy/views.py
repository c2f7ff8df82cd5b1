"""Web pages for clients, their sites and contacts.

Every object is looked up through ``visible_to(request.user)``, so another client's object is
a 404 whatever the URL says; changes need the role permission ``clients.change`` (else 403)
and go through the service verbs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from steward.tenancy import services
from steward.tenancy.choices import ClientStatus
from steward.tenancy.forms import ClientForm, ContactForm, SiteForm
from steward.tenancy.models import Client, Contact, Site
from steward.tenancy.roles import CHANGE_CLIENTS

PAGE_SIZE = 25
# The client the user is working on: set by the top bar's switcher and by opening a client.
SESSION_CLIENT_KEY = "steward_client_id"


def _may_change(request: HttpRequest) -> bool:
    user: Any = request.user
    return bool(user.is_superuser or user.has_role_permission(CHANGE_CLIENTS))


def _require_change(request: HttpRequest) -> None:
    if not _may_change(request):
        raise PermissionDenied("your role may not change clients")


def _client(request: HttpRequest, client_id: int) -> Client:
    return get_object_or_404(Client.objects.visible_to(request.user), pk=client_id)


def _add_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@login_required
def client_list(request: HttpRequest) -> HttpResponse:
    """Search (?q=) over name, code and industry; filter by ?status=; 25 a page."""
    q = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    clients = Client.objects.visible_to(request.user).annotate(
        site_count=Count("sites", distinct=True), contact_count=Count("contacts", distinct=True)
    )
    if q:
        clients = clients.filter(
            Q(name__icontains=q) | Q(code__icontains=q) | Q(industry__icontains=q)
        )
    if status in ClientStatus.values:
        clients = clients.filter(status=status)
    page = Paginator(clients.order_by("name"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "nav_active": "clients",
        "page": page,
        "q": q,
        "status": status,
        "statuses": ClientStatus.choices,
        "query": query.urlencode(),
        "can_change": _may_change(request),
    }
    htmx: Any = request.htmx  # type: ignore[attr-defined]
    if htmx and htmx.target == "client-results":
        return render(request, "tenancy/_client_results.html", context)
    return render(request, "tenancy/client_list.html", context)


@login_required
def client_detail(request: HttpRequest, client_id: int) -> HttpResponse:
    client = _client(request, client_id)
    # The client being looked at becomes the switcher's current one, as in the top bar.
    request.session[SESSION_CLIENT_KEY] = client.pk
    context = {
        "nav_active": "clients",
        "client": client,
        "sites": Site.objects.visible_to(request.user).filter(client=client),
        "contacts": Contact.objects.visible_to(request.user)
        .filter(client=client)
        .select_related("site"),
        "can_change": _may_change(request),
    }
    return render(request, "tenancy/client_detail.html", context)


def _changes(form: Any) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in form.changed_data}


def _save_and_redirect(
    request: HttpRequest,
    form: Any,
    save: Callable[[], Any],
    message: Callable[[Any], str],
    next_url: Callable[[Any], str],
) -> HttpResponse | None:
    """On a valid POST, run the service verb; on success flash ``message`` and redirect.

    Returns None when the form is to be shown (again), with the service's field errors on it.
    """
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        saved = save()
    except ValidationError as exc:
        _add_errors(form, exc)
        return None
    messages.success(request, message(saved))
    return HttpResponseRedirect(next_url(saved))


def _form_page(request: HttpRequest, form: Any, **context: Any) -> HttpResponse:
    return render(request, "tenancy/form.html", {"nav_active": "clients", "form": form, **context})


@login_required
def client_create(request: HttpRequest) -> HttpResponse:
    _require_change(request)
    form = ClientForm(request.POST or None)
    saved = _save_and_redirect(
        request,
        form,
        lambda: services.create_client(**form.cleaned_data),
        lambda client: f"Client “{client.name}” created.",
        lambda client: reverse("tenancy:client_detail", args=[client.pk]),
    )
    if saved is not None:
        return saved
    return _form_page(request, form, title="New client", cancel=reverse("tenancy:client_list"))


@login_required
def client_edit(request: HttpRequest, client_id: int) -> HttpResponse:
    client = _client(request, client_id)
    _require_change(request)
    form = ClientForm(request.POST or None, instance=client)
    saved = _save_and_redirect(
        request,
        form,
        lambda: services.update_client(client, _changes(form)),
        lambda _saved: f"Client “{client.name}” saved.",
        lambda _saved: reverse("tenancy:client_detail", args=[client.pk]),
    )
    if saved is not None:
        return saved
    detail = reverse("tenancy:client_detail", args=[client.pk])
    return _form_page(request, form, title=f"Edit {client.name}", client=client, cancel=detail)


# --- Sites --------------------------------------------------------------------------------------


def _site(request: HttpRequest, client: Client, site_id: int) -> Site:
    return get_object_or_404(Site.objects.visible_to(request.user), client=client, pk=site_id)


@login_required
def site_create(request: HttpRequest, client_id: int) -> HttpResponse:
    client = _client(request, client_id)
    _require_change(request)
    form = SiteForm(request.POST or None, instance=Site(client=client, timezone=client.timezone))
    saved = _save_and_redirect(
        request,
        form,
        lambda: services.create_site(client, **form.cleaned_data),
        lambda site: f"Site “{site.name}” added.",
        lambda site: reverse("tenancy:client_detail", args=[client.pk]),
    )
    if saved is not None:
        return saved
    detail = reverse("tenancy:client_detail", args=[client.pk])
    return _form_page(request, form, title="New site", client=client, cancel=detail)


@login_required
def site_edit(request: HttpRequest, client_id: int, site_id: int) -> HttpResponse:
    client = _client(request, client_id)
    site = _site(request, client, site_id)
    _require_change(request)
    form = SiteForm(request.POST or None, instance=site)
    saved = _save_and_redirect(
        request,
        form,
        lambda: services.update_site(site, _changes(form)),
        lambda _saved: f"Site “{site.name}” saved.",
        lambda _saved: reverse("tenancy:client_detail", args=[client.pk]),
    )
    if saved is not None:
        return saved
    detail = reverse("tenancy:client_detail", args=[client.pk])
    return _form_page(request, form, title=f"Edit {site.name}", client=client, cancel=detail)


@login_required
def site_delete(request: HttpRequest, client_id: int, site_id: int) -> HttpResponse:
    client = _client(request, client_id)
    site = _site(request, client, site_id)
    _require_change(request)
    return _delete_page(request, client, site.name, "site", lambda: services.delete_site(site))


def _delete_page(
    request: HttpRequest, client: Client, name: str, kind: str, delete: Callable[[], None]
) -> HttpResponse:
    """GET asks to confirm; POST deletes through the service verb and returns to the client."""
    if request.method == "POST":
        delete()
        messages.success(request, f"{kind.capitalize()} “{name}” deleted.")
        return HttpResponseRedirect(reverse("tenancy:client_detail", args=[client.pk]))
    context = {
        "nav_active": "clients",
        "client": client,
        "name": name,
        "kind": kind,
        "cancel": reverse("tenancy:client_detail", args=[client.pk]),
    }
    return render(request, "tenancy/confirm_delete.html", context)


# --- Contacts -----------------------------------------------------------------------------------


def _contact(request: HttpRequest, client: Client, contact_id: int) -> Contact:
    return get_object_or_404(Contact.objects.visible_to(request.user), client=client, pk=contact_id)


def _contact_form(request: HttpRequest, client: Client, contact: Contact) -> ContactForm:
    sites = Site.objects.visible_to(request.user).filter(client=client)
    return ContactForm(request.POST or None, instance=contact, sites=sites)


@login_required
def contact_create(request: HttpRequest, client_id: int) -> HttpResponse:
    client = _client(request, client_id)
    _require_change(request)
    form = _contact_form(request, client, Contact(client=client))
    saved = _save_and_redirect(
        request,
        form,
        lambda: services.create_contact(client, **form.cleaned_data),
        lambda contact: f"Contact “{contact}” added.",
        lambda contact: reverse("tenancy:client_detail", args=[client.pk]),
    )
    if saved is not None:
        return saved
    detail = reverse("tenancy:client_detail", args=[client.pk])
    return _form_page(request, form, title="New contact", client=client, cancel=detail)


@login_required
def contact_edit(request: HttpRequest, client_id: int, contact_id: int) -> HttpResponse:
    client = _client(request, client_id)
    contact = _contact(request, client, contact_id)
    _require_change(request)
    form = _contact_form(request, client, contact)
    saved = _save_and_redirect(
        request,
        form,
        lambda: services.update_contact(contact, _changes(form)),
        lambda _saved: f"Contact “{contact}” saved.",
        lambda _saved: reverse("tenancy:client_detail", args=[client.pk]),
    )
    if saved is not None:
        return saved
    detail = reverse("tenancy:client_detail", args=[client.pk])
    return _form_page(request, form, title=f"Edit {contact}", client=client, cancel=detail)


@login_required
def contact_delete(request: HttpRequest, client_id: int, contact_id: int) -> HttpResponse:
    client = _client(request, client_id)
    contact = _contact(request, client, contact_id)
    _require_change(request)
    return _delete_page(
        request, client, str(contact), "contact", lambda: services.delete_contact(contact)
    )
