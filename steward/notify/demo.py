"""Demo data for notifications: an MSP webhook and a Teams-style channel per first clients,
all pointed at a local port where nothing listens (so the log shows retries and failures),
a policy sending outages to the MSP's webhook, and a few months of delivery history per
client: P1s, outages and recoveries, maintenance, mostly sent within minutes.

Cheap on purpose: a handful of rows per client, written in bulk; channels and the policy go
through ``config`` (audited like any other change). Deterministic through ``ctx.rng``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from steward.core.demo import DemoContext, demo_seeder
from steward.notify import config
from steward.notify.choices import DeliveryStatus
from steward.notify.events import NoticeKind
from steward.notify.models import Channel, Delivery, Notification, Policy
from steward.tenancy.models import Client

OFF_URL = "json://127.0.0.1:9/steward-demo"  # the discard port: nothing listens, every send fails
EVENTS_PER_CLIENT = 8
CLIENT_CHANNELS = 3
KINDS = (NoticeKind.P1_OPENED, NoticeKind.OUTAGE_DETECTED, NoticeKind.OUTAGE_RECOVERED,
         NoticeKind.MAINTENANCE_SCHEDULED)  # fmt: skip
SUBJECTS = {
    NoticeKind.P1_OPENED: "[P1] Mail server not responding",
    NoticeKind.OUTAGE_DETECTED: "[Outage] Internet link down at head office",
    NoticeKind.OUTAGE_RECOVERED: "[Recovered] Internet link down at head office",
    NoticeKind.MAINTENANCE_SCHEDULED: "[Maintenance scheduled] Firewall firmware upgrade",
}


@demo_seeder(order=600, name="notify")
def seed_notify(ctx: DemoContext) -> None:
    """After monitoring (500), before obligations (900), which measure this history."""
    if Channel.objects.filter(name="NOC webhook").exists():
        return  # seeded already
    clients = ctx.clients or list(Client.objects.order_by("pk"))
    noc = config.create_channel(None, "NOC webhook", OFF_URL)
    config.save_policy(Policy(client=None), {"name": "Outages to the NOC webhook",
                       "kinds": [NoticeKind.OUTAGE_DETECTED, NoticeKind.OUTAGE_RECOVERED],
                       "staff": [], "contacts": "none"}, channels=[noc])  # fmt: skip
    for client in clients[:CLIENT_CHANNELS]:
        config.create_channel(client, f"{client.name} Teams", OFF_URL)
    task = ctx.progress.task("Notification history", len(clients))
    for client in clients:
        seed_history(ctx, client, noc)
        task.advance()
    if clients:
        seed_retrying(ctx, clients[0], noc)


def seed_retrying(ctx: DemoContext, client: Client, noc: Channel) -> None:
    """One outage still being retried to the NOC webhook: the running job keeps trying it."""
    at = ctx.now - timedelta(minutes=3)
    notification = Notification.objects.create(
        key=f"demo:{client.pk}:retrying", kind=NoticeKind.OUTAGE_DETECTED, client=client, at=at,
        subject="[Outage] VPN gateway not answering", text="(demo)\n", created_at=at,
    )  # fmt: skip
    row = _failed_channel(notification, noc, at)
    row.status, row.attempts = DeliveryStatus.RETRYING, 2
    row.next_attempt_at = ctx.now + timedelta(minutes=1)
    row.save()


def seed_history(ctx: DemoContext, client: Client, noc: Channel) -> None:
    rng = ctx.rng
    contact = client.contacts.exclude(email="").order_by("-is_primary", "pk").first()
    for index in range(EVENTS_PER_CLIENT):
        kind = KINDS[index % len(KINDS)]
        at = ctx.now - timedelta(days=rng.uniform(1, 30 * min(ctx.months, 3)))
        notification = Notification.objects.create(
            key=f"demo:{client.pk}:{index}", kind=kind, client=client, at=at,
            priority="P1" if kind == NoticeKind.P1_OPENED else "", subject=SUBJECTS[kind],
            text=f"{SUBJECTS[kind]}\n\n(demo)\n", created_at=at,
        )  # fmt: skip
        rows = []
        if contact is not None:
            minutes, failed = rng.uniform(0.5, 25), rng.random() < 0.05
            rows.append(_delivery(notification, contact.email, at, minutes, failed, contact.pk))
        if kind in (NoticeKind.OUTAGE_DETECTED, NoticeKind.OUTAGE_RECOVERED):
            rows.append(_failed_channel(notification, noc, at))
        Delivery.objects.bulk_create(rows)


def _delivery(n: Notification, address: str, at: datetime, minutes: float, failed: bool,
              contact_id: int) -> Delivery:  # fmt: skip
    sent = at + timedelta(minutes=minutes)
    error = "SMTPRecipientsRefused: mailbox unavailable" if failed else ""
    return Delivery(
        notification=n, client=n.client, kind=n.kind, target=f"mail:{address}", label=address,
        address=address, contact_id=contact_id, to_client=True,
        status=DeliveryStatus.FAILED if failed else DeliveryStatus.SENT,
        attempts=8 if failed else 1, sent_at=None if failed else sent, created_at=at,
        last_attempt_at=sent, last_error=error,
        log=[{"at": sent.isoformat(), "ok": not failed, "error": error}],
    )  # fmt: skip


def _failed_channel(n: Notification, channel: Channel, at: datetime) -> Delivery:
    error = "A Connection error occurred sending JSON notification to 127.0.0.1."
    return Delivery(
        notification=n, client=n.client, kind=n.kind, target=f"channel:{channel.pk}",
        label=f"{channel.name} ({channel.scheme})", channel=channel,
        status=DeliveryStatus.FAILED, attempts=8, created_at=at, last_attempt_at=at,
        last_error=error, log=[{"at": at.isoformat(), "ok": False, "error": error}],
    )  # fmt: skip
