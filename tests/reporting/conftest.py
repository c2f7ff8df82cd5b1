"""The reporting test world: Acme's October 2026 (Berlin) with known tickets, SLA outcomes,
time, a survey, a check with one outage, an alert and agent facts; helpers to build reports
at a fixed instant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from steward.agreements import services as agreements
from steward.monitoring.models import AssetFact, Check, CheckResult
from steward.monitoring.services import create_asset, create_check, create_collector
from steward.obligations.models import Obligation
from steward.servicedesk import services
from steward.servicedesk.models import Survey, Ticket
from steward.servicedesk.services.csat import answer_survey
from steward.servicedesk.services.work import log_time
from tests.conftest import World
from tests.servicedesk.conftest import Desk, desk, sink  # noqa: F401  (fixtures)

# October 2026 in Berlin: 2026-09-30 22:00 UTC to 2026-10-31 23:00 UTC (CEST -> CET on the 25th).
OCT_START = datetime(2026, 9, 30, 22, tzinfo=UTC)
OCT_END = datetime(2026, 10, 31, 23, tzinfo=UTC)
NOV_3 = datetime(2026, 11, 3, 9, tzinfo=UTC)  # October is closed in Berlin
MONDAY_OCT_5 = datetime(2026, 10, 5, 8, tzinfo=UTC)  # 10:00 in Berlin


@dataclass
class Month:
    desk: Desk
    p1: Ticket  # responded and resolved within target
    p2: Ticket  # response missed
    problem: Ticket
    old: Ticket  # opened in September, still open
    check: Check
    outage: tuple[datetime, datetime]

    @property
    def world(self) -> World:
        return self.desk.world


def _ticket(on: Desk, at: datetime, **fields: Any) -> Ticket:
    with time_machine.travel(at, tick=False):
        return on.ticket(at=at, **fields)


def _checks(world: World) -> tuple[Check, tuple[datetime, datetime]]:
    collector, _ = create_collector(world.acme, kind="collector", name="Acme probe")
    check = create_check(
        world.acme,
        collector=collector,
        type="tcp",
        name="Acme mail relay",
        params={"host": "mail.acme.example", "port": 25},
        interval_s=600,
        timeout_s=5,
    )
    Check.objects.filter(pk=check.pk).update(created_at=OCT_START - timedelta(days=40))
    # A result every 10 minutes all month, critical for one hour on 2026-10-12 from 12:00 UTC.
    down_from = datetime(2026, 10, 12, 12, tzinfo=UTC)
    down_to = down_from + timedelta(hours=1)
    rows, at = [], OCT_START
    while at < OCT_END:
        state = "critical" if down_from <= at < down_to else "ok"
        rows.append(CheckResult(of_check=check, at=at, state=state))
        at += timedelta(minutes=10)
    CheckResult.objects.bulk_create(rows)
    return check, (down_from, down_to)


def _facts(world: World) -> None:
    asset = create_asset(world.acme, name="Acme laptop 7", key="acme-lt7")
    at = datetime(2026, 10, 20, tzinfo=UTC)
    AssetFact.objects.bulk_create(
        [
            AssetFact(asset=asset, name="firewall.active", value=True, at=at),
            AssetFact(
                asset=asset, name="disk.encryption", value=False, at=at, detail="no dm-crypt"
            ),
            AssetFact(asset=asset, name="os.pending_security_updates", value=3, at=at),
        ]
    )


@pytest.fixture
def month(desk: Desk) -> Month:  # noqa: F811  (the imported fixture)
    world = desk.world
    bob = world.bob
    p1 = _ticket(
        desk, MONDAY_OCT_5, subject="Acme mail down", priority="P1", priority_reason="outage"
    )
    with time_machine.travel(MONDAY_OCT_5 + timedelta(minutes=20), tick=False):
        services.reply(p1, "Looking into it", by=bob)
    with time_machine.travel(MONDAY_OCT_5 + timedelta(hours=1, minutes=30), tick=False):
        log_time(
            p1, bob, started_at=MONDAY_OCT_5 + timedelta(minutes=30), duration_seconds=5400, by=bob
        )
    with time_machine.travel(MONDAY_OCT_5 + timedelta(hours=2), tick=False):
        services.change_status(p1, "resolved", by=bob)
    with time_machine.travel(MONDAY_OCT_5 + timedelta(hours=3), tick=False):
        survey = Survey.objects.get(ticket=p1)
        answer_survey(survey, 4, "Quick fix, thanks")
    p2 = _ticket(
        desk,
        MONDAY_OCT_5 + timedelta(days=1),
        subject="New laptop for Anna",
        kind="service_request",
        priority="P2",
        priority_reason="starter",
    )
    with time_machine.travel(MONDAY_OCT_5 + timedelta(days=2), tick=False):
        services.reply(p2, "Ordered", by=bob)
    problem = _ticket(
        desk,
        MONDAY_OCT_5 + timedelta(days=3),
        subject="Mail relay keeps failing",
        kind="problem",
        priority="P3",
        priority_reason="root cause",
    )
    old = _ticket(desk, datetime(2026, 9, 1, 8, tzinfo=UTC), subject="Old VPN question")
    agreements.create_sow(
        desk.acme_agreement,
        title="Managed workplace",
        start_date=desk.acme_agreement.start_date,
        hours_per_period=Decimal(10),
    )
    check, outage = _checks(world)
    _facts(world)
    Obligation.objects.create(
        client=world.acme,
        name="P1 responses within target",
        category="service_delivery",
        measure_key="servicedesk.response_attainment",
        params={"priority": "P1"},
        target=Decimal(95),
    )
    return Month(desk, p1, p2, problem, old, check, outage)
