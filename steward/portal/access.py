"""Who reaches the portal and what of it: a client contact sees its own client only.

Pages that name an object (a ticket, an approval, an asset) look it up through
``visible_to(request.user)``, so another client's id is a 404. MSP staff who open such a page
get it read-only, as the client sees it (a preview from the staff side); the pages without an
object (the lists) send staff back to the staff shell. Only contacts act in the portal.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from steward.servicedesk.queries import contact_of
from steward.tenancy.choices import Role
from steward.tenancy.models import Client, Contact

View = Callable[..., HttpResponse]
portal_login_required = login_required(login_url="portal:login")


def is_contact(user: Any) -> bool:
    return bool(
        getattr(user, "is_active", False)
        and getattr(user, "role", None) == Role.CLIENT_CONTACT
        and user.client_id is not None
    )


def contact_required(view: View) -> View:
    """A page of the contact's own client. Staff go to the staff shell."""

    @portal_login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_contact(request.user):
            return HttpResponseRedirect(reverse("home"))
        return view(request, *args, **kwargs)

    return wrapped  # type: ignore[no-any-return]


def own_client(request: HttpRequest) -> Client:
    client = Client.objects.visible_to(request.user).filter(pk=request.user.client_id).first()  # type: ignore[union-attr]
    if client is None:
        raise PermissionDenied("your login belongs to no client")
    return client


def acting_contact(request: HttpRequest) -> Contact:
    """The Contact of the signed-in contact, for anything that acts (403 otherwise)."""
    if not is_contact(request.user):
        raise PermissionDenied("only the client's contacts act in the portal")
    contact = contact_of(request.user)
    if contact is None:
        raise PermissionDenied("your login is not linked to a contact of your client")
    return contact
