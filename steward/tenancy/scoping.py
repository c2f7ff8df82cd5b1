"""The one tenant-scoping helper: ``<Model>.objects.visible_to(user)``.

Every view and API route that a request can reach starts its query here. Models owned by a
client use ``ClientScopedQuerySet`` (``client_field`` names the path to the client), so later
apps get scoping by declaring one attribute.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q

from steward.tenancy.choices import Role
from steward.tenancy.roles import ALL_CLIENT_ROLES, ROLE_PERMISSIONS, STAFF_ROLES, VIEW_USERS

if TYPE_CHECKING:
    from steward.tenancy.models import User

ALL = None  # sentinel: the user sees every client


def visible_client_filter(user: Any) -> Q | None:
    """A filter on client id for what ``user`` may see; ``ALL`` (None) for every client.

    Returns a filter that matches nothing for anonymous or inactive users.
    """
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    if user.is_superuser or user.role in ALL_CLIENT_ROLES:
        return ALL
    if user.role == Role.TECHNICIAN:
        if user.sees_all_clients:
            return ALL
        return Q(assigned_staff=user)
    if user.role == Role.CLIENT_CONTACT and user.client_id is not None:
        return Q(pk=user.client_id)
    return Q(pk__in=[])


def scope_key(user: Any) -> tuple[Any, ...]:
    """Everything ``visible_client_filter`` reads of ``user``: equal keys, equal scoping SQL
    (so SQL compiled for one request of this user can serve the next)."""
    return (
        getattr(user, "pk", None),
        bool(getattr(user, "is_authenticated", False)),
        bool(getattr(user, "is_active", False)),
        bool(getattr(user, "is_superuser", False)),
        getattr(user, "role", None),
        bool(getattr(user, "sees_all_clients", False)),
        getattr(user, "client_id", None),
    )


class ClientQuerySet(models.QuerySet):  # type: ignore[type-arg]
    def visible_to(self, user: Any) -> ClientQuerySet:
        condition = visible_client_filter(user)
        return self.all() if condition is ALL else self.filter(condition).distinct()


def is_active_staff(user: Any) -> bool:
    if not getattr(user, "is_active", False):
        return False
    return bool(getattr(user, "is_superuser", False) or getattr(user, "role", None) in STAFF_ROLES)


class ClientScopedQuerySet(models.QuerySet):  # type: ignore[type-arg]
    """For models that belong to one client through ``client_field`` (default ``client``).

    ``msp_wide`` matches rows that belong to no client (an MSP-wide calendar, an obligation owed
    to a vendor program): staff see them, client contacts never do.
    """

    client_field = "client"
    msp_wide: Q | None = None

    def visible_to(self, user: Any) -> ClientScopedQuerySet:
        condition = visible_client_filter(user)
        if condition is ALL:
            return self.all()
        from steward.tenancy.models import Client  # models import this module; resolve lazily

        client_ids = Client.objects.filter(condition).values("pk")
        mine = Q(**{f"{self.client_field}__in": client_ids})
        if self.msp_wide is not None and is_active_staff(user):
            mine |= self.msp_wide
        return self.filter(mine)


class UserQuerySet(models.QuerySet):  # type: ignore[type-arg]
    def visible_to(self, user: User | Any) -> UserQuerySet:
        """Staff with the right to see users see staff and the contacts of clients they see;
        everyone else sees only themselves."""
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if not (user.is_superuser or VIEW_USERS in ROLE_PERMISSIONS.get(user.role, frozenset())):
            return self.filter(pk=user.pk)
        condition = visible_client_filter(user)
        if condition is ALL:
            return self.all()
        from steward.tenancy.models import Client  # models import this module; resolve lazily

        return self.filter(
            Q(client__isnull=True) | Q(client__in=Client.objects.filter(condition).values("pk"))
        )
