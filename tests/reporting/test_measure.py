"""reporting.report_on_time at the exact deadline: table-driven over send instants and now."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from steward.obligations.periods import Period
from steward.obligations.registry import MeasureResult, registry
from steward.reporting.choices import DeliveryStatus, Trigger
from steward.reporting.models import ReportDelivery, StoredReport
from steward.tenancy.models import Client
from tests.reporting.conftest import Month

KEY = "reporting.report_on_time"
NOVEMBER = Period.month(2026, 11)  # owes October's report by its 5th business day
# 2-6 November in Berlin (Acme's office calendar): due at midnight ending Friday 6th, CET.
DEADLINE = datetime(2026, 11, 6, 23, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)


def run(client: Client, now: datetime, period: Period = NOVEMBER, **params: Any) -> MeasureResult:
    item = registry.get(KEY)
    with time_machine.travel(now, tick=False):
        return item(client, period, item.resolve_params(params))


def deliver(client: Client, period: str, sent_at: datetime | None, status: str) -> None:
    stored = StoredReport.objects.create(
        client=client, period=period, version=1, sha256="0" * 64, size=4, pdf=b"%PDF"
    )
    ReportDelivery.objects.create(
        client=client,
        report=stored,
        email="carol@acme.example",
        trigger=Trigger.SCHEDULE,
        status=status,
        sent_at=sent_at,
    )


SENT = DeliveryStatus.SENT


@pytest.mark.parametrize(
    ("sent_at", "status", "now", "value", "final"),
    [
        (DEADLINE - SECOND, SENT, DEADLINE - SECOND, Decimal(1), True),  # sent early: settled
        (DEADLINE, SENT, DEADLINE + timedelta(days=30), Decimal(1), True),  # at the deadline
        (DEADLINE + SECOND, SENT, DEADLINE + timedelta(days=2), Decimal(0), True),  # late
        (None, None, DEADLINE - SECOND, None, False),  # not sent, not due yet
        (None, None, DEADLINE, Decimal(0), True),  # not sent when due
        (DEADLINE - timedelta(hours=1), DeliveryStatus.FAILED, DEADLINE, Decimal(0), True),
    ],
)
def test_on_time_at_the_deadline(
    month: Month,
    sent_at: datetime | None,
    status: str | None,
    now: datetime,
    value: Decimal | None,
    final: bool,
) -> None:
    acme = month.world.acme
    if status is not None:
        deliver(acme, "2026-10", sent_at, status)
    result = run(acme, now)
    assert (None if result.value is None else Decimal(result.value), result.final) == (
        value,
        final,
    )
    assert "October 2026 report" in result.evidence[0].label


def test_another_clients_delivery_does_not_count(month: Month) -> None:
    deliver(month.world.globex, "2026-10", DEADLINE - timedelta(days=3), SENT)
    assert run(month.world.acme, DEADLINE).value == 0


def test_a_quarter_needs_every_month(month: Month) -> None:
    acme = month.world.acme
    quarter = Period.quarter(2026, 4)  # owes September, October and November's reports
    deliver(acme, "2026-09", datetime(2026, 10, 2, 8, tzinfo=UTC), SENT)
    deliver(acme, "2026-10", DEADLINE - SECOND, SENT)
    result = run(acme, datetime(2026, 12, 5, tzinfo=UTC), period=quarter)
    assert result.value is None  # November's report is not due before 7 December
    deliver(acme, "2026-11", datetime(2026, 12, 3, 8, tzinfo=UTC), SENT)
    assert run(acme, datetime(2026, 12, 5, tzinfo=UTC), period=quarter).value == 1


def test_no_report_is_owed_before_the_service_started(month: Month) -> None:
    acme = month.world.acme
    acme.onboarded_on = date(2026, 11, 1)
    acme.save(update_fields=["onboarded_on"])
    result = run(acme, DEADLINE + SECOND)
    assert result.value is None
    assert "service started later" in result.note


@pytest.mark.parametrize(
    ("params", "problem"),
    [
        ({"business_days": 0}, "business_days"),
        ({"business_days": 21}, "business_days"),
        ({"business_days": 2.5}, "business_days"),
        ({"report": "weekly"}, "report"),
    ],
)
def test_bad_parameters_say_which(month: Month, params: dict[str, Any], problem: str) -> None:
    result = run(month.world.acme, DEADLINE, **params)
    assert result.value is None
    assert result.note.startswith(problem)


def test_vendor_programs_have_no_reports(month: Month) -> None:
    item = registry.get(KEY)
    result = item(object(), NOVEMBER, item.resolve_params({}))
    assert result.value is None
