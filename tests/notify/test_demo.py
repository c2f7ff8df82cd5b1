"""The notify demo seeder: channels to an off port, a history the measures can read, once."""

from __future__ import annotations

from datetime import UTC, datetime

from steward.core.demo import DemoContext, registered_seeders
from steward.notify.choices import DeliveryStatus
from steward.notify.demo import seed_notify
from steward.notify.models import Channel, Delivery, Notification
from steward.obligations.periods import Period
from steward.obligations.registry import registry
from tests.conftest import World


def test_demo_seeds_channels_and_history_once(world: World) -> None:
    assert next(s for s in registered_seeders() if s.name == "notify").order == 600
    ctx = DemoContext(seed=1, now=datetime(2026, 11, 15, tzinfo=UTC), months=3)
    ctx.clients = [world.acme, world.globex]
    seed_notify(ctx)
    assert Channel.objects.filter(client__isnull=True).count() == 1
    assert Channel.objects.filter(client__isnull=False).count() == 2
    assert Notification.objects.filter(client=world.acme).count() == 9
    assert Delivery.objects.filter(status=DeliveryStatus.RETRYING).count() == 1
    assert Delivery.objects.filter(status=DeliveryStatus.FAILED, channel__isnull=False).exists()
    item = registry.get("notify.delivery_success")
    result = item(world.acme, Period.month(2026, 10), item.resolve_params({}))
    assert result.value is not None
    seed_notify(ctx)
    assert Notification.objects.filter(client=world.acme).count() == 9
