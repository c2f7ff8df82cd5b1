"""Small builders shared by the notify tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from steward.notify import config
from steward.notify.events import Notice, NoticeKind
from steward.notify.models import Policy
from steward.tenancy.models import Client

MONDAY_10 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # 10:00 in Berlin (CET)


def notice(client: Client | None, kind: str = NoticeKind.OUTAGE_DETECTED, **fields: Any) -> Notice:
    values: dict[str, Any] = {
        "kind": kind,
        "client_id": client.pk if client else None,
        "at": MONDAY_10,
        "key": f"test:{kind}:{fields.get('subject', 'mail down')}",
        "subject": "Mail server down",
    }
    return Notice(**(values | fields))


def policy(client: Client | None, kinds: list[str], **fields: Any) -> Policy:
    links = {k: fields.pop(k) for k in ("contacts_named", "users", "channels") if k in fields}
    values = {"name": f"policy {len(Policy.objects.all())}", "kinds": kinds, "staff": [],
              "contacts": "none"} | fields  # fmt: skip
    return config.save_policy(Policy(client=client), values, links.get("contacts_named"),
                              links.get("users"), links.get("channels"))  # fmt: skip


def only(kinds: list[str]) -> None:
    """Leave only the policies made by the test: drop the defaults for these kinds."""
    for row in Policy.objects.filter(client__isnull=True):
        if set(row.kinds) & set(kinds):
            row.delete()
