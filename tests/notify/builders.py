"""Acme's notify rows for the isolation walks (tests/test_isolation.py ACME_BUILDERS)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from django.db import models

from steward.notify import config
from steward.notify.events import Notice, NoticeKind
from steward.notify.models import Channel, Delivery, Notification, Policy
from steward.notify.services import publish
from tests.conftest import World

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def acme_channel(world: World) -> Channel:
    found = Channel.objects.filter(client=world.acme).first()
    return found or config.create_channel(world.acme, "Acme Teams", "json://127.0.0.1:9/acme")


def acme_policy(world: World) -> Policy:
    found = Policy.objects.filter(client=world.acme).first()
    return found or config.save_policy(
        Policy(client=world.acme),
        {"name": "Acme outages", "kinds": [NoticeKind.OUTAGE_DETECTED], "staff": [],
         "contacts": "all"},
    )  # fmt: skip


def acme_delivery(world: World) -> Delivery:
    found = Delivery.objects.filter(client=world.acme).first()
    if found is not None:
        return found
    notice = Notice(kind=NoticeKind.REPORT_READY, client_id=world.acme.pk, at=AT,
                    key="isolation:acme-report", subject="Acme monthly report",
                    contact_ids=(world.acme_contact.pk,))  # fmt: skip
    notification = publish(notice)
    assert isinstance(notification, Notification)
    return notification.deliveries.get()


NOTIFY_BUILDERS: dict[str, Callable[[World], models.Model]] = {
    "notify.channel": acme_channel,
    "notify.policy": acme_policy,
    "notify.delivery": acme_delivery,
}
