"""Template pieces of the shell: side navigation, client switcher, before/after diffs."""

from __future__ import annotations

from typing import Any

from django import template
from django.http import HttpRequest

from steward.tenancy.models import Client
from steward.tenancy.views import SESSION_CLIENT_KEY
from steward.web.navigation import area_links, tool_links

register = template.Library()


@register.inclusion_tag("web/_nav.html", takes_context=True)
def side_nav(context: template.Context) -> dict[str, Any]:
    request: HttpRequest = context["request"]
    active = context.get("nav_active", "")
    return {
        "areas": area_links(),
        "tools": tool_links(request.user),  # type: ignore[arg-type]
        "active": active,
    }


@register.inclusion_tag("web/_client_switcher.html", takes_context=True)
def client_switcher(context: template.Context) -> dict[str, Any]:
    request: HttpRequest = context["request"]
    clients = Client.objects.visible_to(request.user).only("pk", "name")
    return {
        "clients": clients,
        "selected": request.session.get(SESSION_CLIENT_KEY),
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def audit_rows(entry: Any) -> list[tuple[str, Any, Any]]:
    """(field, before, after) for each field an audit entry mentions, in name order."""
    before = entry.before if isinstance(entry.before, dict) else {}
    after = entry.after if isinstance(entry.after, dict) else {}
    names = sorted(set(before) | set(after))
    return [(name, before.get(name, ""), after.get(name, "")) for name in names]


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if isinstance(mapping, dict) else None
