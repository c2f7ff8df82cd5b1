"""Sending one delivery: by mail (Django's SMTP settings) or through an apprise channel, and
recording the attempt.

A claimed row's ``next_attempt_at`` moves ``LEASE`` ahead: a worker that dies mid-send leaves
the row to be claimed again after the lease, never lost. Every attempt is appended to the
row's log; a failure is retried with backoff (``timing.retry_at``) until it fails for good.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import apprise
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from steward.notify.choices import OPEN_STATUSES, DeliveryStatus
from steward.notify.models import Channel, Delivery, Notification
from steward.notify.timing import retry_at

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=5)
ERROR_MAX = 2000


def claim(delivery_id: int, due_at: datetime, now: datetime) -> bool:
    """Take the row for one attempt: matches only while it still holds the time we read."""
    return (
        Delivery.objects.filter(
            pk=delivery_id, status__in=OPEN_STATUSES, next_attempt_at=due_at
        ).update(next_attempt_at=now + LEASE)
        == 1
    )


def send_mail(notification: Notification, address: str) -> None:
    message = EmailMultiAlternatives(
        notification.subject, notification.text, settings.DEFAULT_FROM_EMAIL, [address]
    )
    if notification.html:
        message.attach_alternative(notification.html, "text/html")
    for item in notification.attachments.all():
        message.attach(item.filename, bytes(item.content), item.content_type)
    message.send()


def channel_error(url: str) -> str:
    """Why apprise refuses ``url`` ("" when it accepts it)."""
    if "://" not in url:
        return "not a URL: expected scheme://…, e.g. json://hooks.example.com/steward"
    if apprise.Apprise.instantiate(url) is None:
        scheme = url.split("://", 1)[0]
        return f"apprise does not understand this URL (scheme {scheme!r}, or its parts)"
    return ""


def send_channel(channel: Channel, title: str, body: str) -> None:
    """Raise with apprise's own words when the channel does not take the message."""
    if not channel.enabled:
        raise RuntimeError("the channel is disabled")
    sender = apprise.Apprise()
    if not sender.add(channel.url):
        raise RuntimeError(channel_error(channel.url) or "apprise refused the URL")
    with apprise.LogCapture(level=logging.WARNING) as captured:
        ok = sender.notify(title=title, body=body or title)
    if not ok:
        said = " ".join(captured.getvalue().split("\n")[-3:]).strip()  # type: ignore[attr-defined]
        raise RuntimeError(said or f"the {channel.scheme} service did not accept the message")


def send(delivery: Delivery) -> None:
    notification = delivery.notification
    if delivery.target.startswith("channel:"):
        if delivery.channel is None:
            raise RuntimeError("the channel was deleted")
        send_channel(delivery.channel, notification.subject, notification.text)
    else:
        send_mail(notification, delivery.address)


def attempt(delivery_id: int, now: datetime) -> str:
    """One attempt of a claimed delivery; returns its new status. Never raises."""
    delivery = Delivery.objects.select_related("notification", "channel").get(pk=delivery_id)
    error = ""
    try:
        send(delivery)
    except Exception as exc:  # any failure of the far side is recorded, never raised
        error = (f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)[:ERROR_MAX]
        log.warning("notify delivery %s to %s failed: %s", delivery.pk, delivery.label, error)
    done = timezone.now()
    attempts = delivery.attempts + 1
    entry = {"at": done.isoformat(), "ok": not error, "error": error}
    if not error:
        status, next_at = DeliveryStatus.SENT, None
    else:
        next_at = retry_at(attempts, max(now, done))
        status = DeliveryStatus.RETRYING if next_at else DeliveryStatus.FAILED
    Delivery.objects.filter(pk=delivery.pk).update(
        status=status,
        attempts=attempts,
        next_attempt_at=next_at,
        last_attempt_at=done,
        last_error=error,
        sent_at=done if not error else delivery.sent_at,
        log=[*delivery.log, entry][-50:],
    )
    return status
