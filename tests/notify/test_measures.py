"""The notify measures, table-driven at exact boundaries: which deliveries count in a period
(created at the first and last instant of November in Berlin), and P1 notification delays
(nearest-rank p90, max, a P1 not notified yet, staff deliveries not counted)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from steward.notify.choices import DeliveryStatus
from steward.notify.events import NoticeKind
from steward.notify.measures import nearest_rank
from steward.notify.models import Delivery, Notification
from steward.obligations.periods import Period
from steward.obligations.registry import MeasureResult, registry
from tests.conftest import World

NOVEMBER = Period.month(2026, 11)
NOV_START = datetime(2026, 10, 31, 23, tzinfo=UTC)  # Berlin midnight
NOV_END = datetime(2026, 11, 30, 23, tzinfo=UTC)
DEC_2 = datetime(2026, 12, 2, 12, tzinfo=UTC)
SECOND = timedelta(seconds=1)


def run(key: str, client: Any, now: datetime = DEC_2, **params: Any) -> MeasureResult:
    item = registry.get(key)
    with time_machine.travel(now, tick=False):
        return item(client, NOVEMBER, item.resolve_params(params))


def notification(world: World, at: datetime, kind: str = NoticeKind.P1_OPENED) -> Notification:
    return Notification.objects.create(key=f"k{Notification.objects.count()}", kind=kind,
                                       client=world.acme, at=at, subject="s", text="t",
                                       context={"ticket_id": 7})  # fmt: skip


def delivery(n: Notification, status: str, created: datetime, sent: datetime | None = None,
             to_client: bool = True) -> Delivery:  # fmt: skip
    return Delivery.objects.create(notification=n, client=n.client, kind=n.kind,
                                   target=f"mail:{Delivery.objects.count()}@x", label="x",
                                   status=status, created_at=created, sent_at=sent,
                                   to_client=to_client)  # fmt: skip


@pytest.mark.parametrize(
    ("rows", "value", "undecided"),
    [
        ([], None, 0),
        ([(DeliveryStatus.SENT, NOV_START)], Decimal("100.00"), 0),
        ([(DeliveryStatus.SENT, NOV_START - SECOND)], None, 0),  # October's
        ([(DeliveryStatus.FAILED, NOV_END - SECOND)], Decimal("0.00"), 0),
        ([(DeliveryStatus.FAILED, NOV_END)], None, 0),  # December's
        ([(DeliveryStatus.SENT, NOV_START), (DeliveryStatus.SENT, NOV_START),
          (DeliveryStatus.FAILED, NOV_START)], Decimal("66.67"), 0),
        ([(DeliveryStatus.SENT, NOV_START), (DeliveryStatus.RETRYING, NOV_START),
          (DeliveryStatus.HELD, NOV_START), (DeliveryStatus.PENDING, NOV_START)],
         Decimal("100.00"), 3),
    ],
)  # fmt: skip
def test_delivery_success(
    world: World, rows: list[tuple[str, datetime]], value: Decimal | None, undecided: int
) -> None:
    n = notification(world, NOV_START, NoticeKind.OUTAGE_DETECTED)
    for status, created in rows:
        delivery(n, status, created)
    result = run("notify.delivery_success", world.acme)
    assert result.value == value
    assert result.inputs.get("undecided", 0) == undecided


def test_failed_deliveries_are_the_evidence(world: World) -> None:
    n = notification(world, NOV_START, NoticeKind.OUTAGE_DETECTED)
    bad = delivery(n, DeliveryStatus.FAILED, NOV_START)
    result = run("notify.delivery_success", world.acme)
    assert [e.ref for e in result.evidence] == [f"notify.delivery:{bad.pk}"]


@pytest.mark.parametrize(
    ("delays_min", "statistic", "expected"),
    [
        ([5], "p90", Decimal("5.0")),
        ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], "p90", Decimal("9.0")),  # nearest rank: the 9th
        ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], "p90", Decimal("10.0")),  # ceil(9.9) = 10th
        ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], "max", Decimal("10.0")),
        ([0.5, 2.25], "max", Decimal("2.3")),  # tenths, half up
    ],
)
def test_p1_notification_minutes(
    world: World, delays_min: list[float], statistic: str, expected: Decimal
) -> None:
    for delay in delays_min:
        n = notification(world, NOV_START)
        delivery(n, DeliveryStatus.SENT, NOV_START, NOV_START + timedelta(minutes=delay))
    result = run("notify.p1_notification_minutes", world.acme, statistic=statistic)
    assert result.value == expected


def test_only_the_first_sent_delivery_to_a_client_contact_counts(world: World) -> None:
    n = notification(world, NOV_START)
    delivery(n, DeliveryStatus.SENT, NOV_START, NOV_START + timedelta(minutes=1), to_client=False)
    delivery(n, DeliveryStatus.FAILED, NOV_START, None)
    delivery(n, DeliveryStatus.SENT, NOV_START, NOV_START + timedelta(minutes=12))
    delivery(n, DeliveryStatus.SENT, NOV_START, NOV_START + timedelta(minutes=20))
    assert run("notify.p1_notification_minutes", world.acme).value == Decimal("12.0")


def test_a_p1_not_notified_counts_up_to_now(world: World) -> None:
    n = notification(world, NOV_END - timedelta(minutes=30))
    delivery(n, DeliveryStatus.RETRYING, NOV_END)
    result = run("notify.p1_notification_minutes", world.acme, now=NOV_END, statistic="max")
    assert result.value == Decimal("30.0")
    assert result.inputs["not_notified"] == 1
    assert "not notified yet" in result.note


@pytest.mark.parametrize(
    ("at", "counted"),
    [(NOV_START - SECOND, False), (NOV_START, True), (NOV_END - SECOND, True), (NOV_END, False)],
)
def test_p1s_count_in_the_period_they_were_detected(
    world: World, at: datetime, counted: bool
) -> None:
    n = notification(world, at)
    delivery(n, DeliveryStatus.SENT, at, at + timedelta(minutes=4))
    result = run("notify.p1_notification_minutes", world.acme)
    assert (result.value == Decimal("4.0")) is counted
    if not counted:
        assert result.value is None


def test_an_unknown_statistic_says_so(world: World) -> None:
    result = run("notify.p1_notification_minutes", world.acme, statistic="median")
    assert result.value is None
    assert "statistic" in result.note


def test_nearest_rank() -> None:
    assert nearest_rank([3.0], 0.9) == 3.0
    assert nearest_rank([4.0, 1.0, 3.0, 2.0], 0.5) == 2.0
    assert nearest_rank([4.0, 1.0, 3.0, 2.0], 0.9) == 4.0
