"""The shell's side navigation: the eight obligation areas, then the cross-cutting pages.

An area links to its app's index page as soon as that app declares the URL name below; until
then it is shown disabled, labelled as arriving in a later release, rather than as a page that
pretends to work.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.urls import NoReverseMatch, reverse

from steward.tenancy.models import User
from steward.tenancy.roles import ADMIN_SITE_ROLES, VIEW_AUDIT
from steward.tenancy.scoping import is_active_staff

LATER = "arrives in a later release"


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str | None
    number: int | None = None
    note: str = ""
    key: str = ""

    @property
    def enabled(self) -> bool:
        return self.url is not None


# (number, label, URL name of the area's index page once its app ships it)
AREAS: tuple[tuple[int, str, str], ...] = (
    (1, "Service delivery", "servicedesk:index"),
    (2, "Proactive management", "monitoring:index"),
    (3, "Compliance & security", "security:index"),
    (4, "Communication & reporting", "reporting:index"),
    (5, "Resource management", "people:index"),
    (6, "Agreements", "agreements:index"),
    (7, "Continuous improvement", "improvement:index"),
    (8, "Collaboration & alignment", "alignment:index"),
)


@cache
def _url_or_none(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def area_links() -> list[NavLink]:
    links = []
    for number, label, url_name in AREAS:
        url = _url_or_none(url_name)
        links.append(NavLink(label, url, number, "" if url else LATER, url_name.split(":")[0]))
    return links


def may(user: User, permission: str) -> bool:
    """Whether the signed-in ``user``'s role grants ``permission`` (superusers: always)."""
    return bool(user.is_superuser or user.has_role_permission(permission))


def may_enter_admin(user: User) -> bool:
    return bool(user.is_active and (user.is_superuser or user.role in ADMIN_SITE_ROLES))


def tool_links(user: User) -> list[NavLink]:
    links = [NavLink("Clients", reverse("tenancy:client_list"), key="clients")]
    # The per-client scorecards of the obligation engine, once its pages are installed.
    scorecards = _url_or_none("obligations:portfolio")
    if scorecards is not None:
        links.insert(0, NavLink("Scorecards", scorecards, key="scorecards"))
    notifications = _url_or_none("notify:index")
    if notifications is not None and is_active_staff(user):
        links.append(NavLink("Notifications", notifications, key="notify"))
    if may(user, VIEW_AUDIT):
        links.append(NavLink("Audit log", reverse("audit_log"), key="audit"))
    if may_enter_admin(user):
        links.append(NavLink("Admin", reverse("admin:index"), key="admin"))
    return links
