"""The notify app's business operations: publishing a notice, sending due deliveries, and
retrying one now. Channel, policy and template changes are in ``config``.

``publish`` never raises into its caller and never sends inside the caller's transaction:
it records the notice and its deliveries in a savepoint, and after commit enqueues the task
that sends them. A notice published in a transaction that rolls back leaves nothing behind.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone

from steward.notify.choices import OPEN_STATUSES, DeliveryStatus
from steward.notify.events import Notice, NoticeKind
from steward.notify.models import Delivery, NoticeAttachment, Notification
from steward.notify.rendering import render
from steward.notify.routing import resolve
from steward.notify.sending import attempt, claim
from steward.tenancy.models import Client

log = logging.getLogger(__name__)
KEY_MAX = 300
NOBODY = "no policy routes this kind to anyone with an address or channel"


def publish(notice: Notice) -> Notification | None:
    """Record ``notice`` once (by its key) with one delivery per recipient, and send after
    commit. Returns the notification (the existing one for a known key), or None when the
    notice could not be recorded; that is logged, never raised."""
    try:
        notice = replace(notice, key=notice.key[:KEY_MAX])  # the stored key, for every lookup
        existing = Notification.objects.filter(key=notice.key).first()
        if existing is not None:
            return existing
        try:
            with transaction.atomic():  # a savepoint: a failure leaves the caller's work intact
                notification = _record(notice, timezone.now())
        except IntegrityError:  # the same key published concurrently: theirs stands
            return Notification.objects.filter(key=notice.key).first()
        if not notification.problem.endswith(NOBODY):  # nothing to send otherwise
            transaction.on_commit(partial(enqueue_delivery, notification.pk), robust=True)
        return notification
    except Exception:
        log.exception("could not publish notice %s (%s)", notice.key, notice.kind)
        return None


def _record(notice: Notice, now: datetime) -> Notification:
    if notice.kind not in NoticeKind.values:
        raise ValueError(f"kind: unknown notice kind {notice.kind!r}")
    client = Client.objects.filter(pk=notice.client_id).first() if notice.client_id else None
    names = ", ".join(name for name, _, _ in notice.attachments)
    if names and "attachment_names" not in notice.context:
        notice = replace(notice, context={**notice.context, "attachment_names": names})
    rendered, problem = render(notice, client)
    targets = resolve(notice, client, now)
    notes = [n for n in (problem, "" if targets else NOBODY) if n]
    notification = Notification.objects.create(
        key=notice.key,
        kind=notice.kind,
        client=client,
        at=notice.at,
        priority=notice.priority,
        url=notice.url[:500],
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        context=_jsonable(notice.context),
        problem="; ".join(notes),
        created_at=now,
    )
    NoticeAttachment.objects.bulk_create(
        NoticeAttachment(notification=notification, filename=n, content_type=t, content=c)
        for n, t, c in notice.attachments
    )
    Delivery.objects.bulk_create(
        Delivery(
            notification=notification,
            client=client,
            kind=notice.kind,
            target=t.key[:300],
            label=t.label[:300],
            address=t.address,
            channel_id=t.channel_id,
            contact_id=t.contact_id,
            user_id=t.user_id,
            to_client=t.to_client,
            policy_id=t.policy_id,
            status=DeliveryStatus.HELD if t.held_until else DeliveryStatus.PENDING,
            next_attempt_at=t.held_until or now,
            created_at=now,
        )
        for t in targets
    )
    return notification


def _jsonable(values: dict[str, object]) -> dict[str, object]:
    """The context as stored: values JSON cannot hold become text."""
    simple = (str, int, float, bool, type(None))
    return {str(k): v if isinstance(v, simple) else str(v) for k, v in values.items()}


def enqueue_delivery(notification_id: int) -> None:
    """After commit: hand the sending to the task worker (the minute job is the fallback
    when the queue is down)."""
    from steward.notify.tasks import deliver_notification  # tasks import this module

    deliver_notification.enqueue(notification_id)


@dataclass
class Sent:
    sent: int = 0
    retrying: int = 0
    failed: int = 0

    def add(self, status: str) -> None:
        if status == DeliveryStatus.SENT:
            self.sent += 1
        elif status == DeliveryStatus.RETRYING:
            self.retrying += 1
        elif status == DeliveryStatus.FAILED:
            self.failed += 1


def deliver_due(now: datetime, limit: int = 200, notification_id: int | None = None) -> Sent:
    """Send every delivery due at ``now`` (of one notification when given): claim each by
    compare-and-set on its ``next_attempt_at``, then attempt it. Safe with several workers."""
    due = Delivery.objects.filter(status__in=OPEN_STATUSES, next_attempt_at__lte=now)
    if notification_id is not None:
        due = due.filter(notification_id=notification_id)
    rows = list(due.order_by("next_attempt_at", "pk").values_list("pk", "next_attempt_at")[:limit])
    counts = Sent()
    for pk, at in rows:
        if claim(pk, at, now):
            counts.add(attempt(pk, now))
    return counts


def retry_now(delivery: Delivery, now: datetime) -> str:
    """Someone asked: try this delivery again now, whatever its state or hold (a sent one
    is sent again). Returns the new status."""
    due = delivery.next_attempt_at
    if delivery.status not in OPEN_STATUSES or due is None:
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.RETRYING, next_attempt_at=now
        )
        due = now
    if not claim(delivery.pk, due, now):
        return Delivery.objects.get(pk=delivery.pk).status  # a worker is on it right now
    return attempt(delivery.pk, now)
