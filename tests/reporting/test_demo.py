"""The reporting demo seeder: a schedule per client and past deliveries, without rendering."""

from __future__ import annotations

from datetime import UTC, date, datetime

from steward.core.demo import DemoContext, registered_seeders, run_seeders
from steward.reporting.demo import PLACEHOLDER_PDF
from steward.reporting.models import ReportDelivery, ReportSchedule, StoredReport
from tests.conftest import World
from tests.servicedesk.conftest import Desk

NOW = datetime(2026, 11, 29, 12, tzinfo=UTC)


def test_the_seeder_schedules_and_records_past_deliveries(desk: Desk) -> None:
    world: World = desk.world
    world.globex.onboarded_on = date(2026, 10, 15)
    world.globex.save(update_fields=["onboarded_on"])
    [seeder] = [s for s in registered_seeders() if s.name == "reporting"]
    assert seeder.order == 700
    ctx = DemoContext(seed=1, now=NOW, months=3, clients=[world.acme, world.globex])
    run_seeders(ctx, [seeder])
    assert ReportSchedule.objects.count() == 2
    acme = ReportSchedule.objects.get(client=world.acme)
    assert list(acme.contacts.all()) == [world.acme_contact]
    assert acme.next_run_at is not None
    assert acme.next_run_at > NOW
    assert sorted(
        StoredReport.objects.filter(client=world.acme).values_list("period", flat=True)
    ) == [
        "2026-08",
        "2026-09",
        "2026-10",
    ]
    # Globex started in October: only October's report was owed (sent in November).
    assert list(
        StoredReport.objects.filter(client=world.globex).values_list("period", flat=True)
    ) == ["2026-10"]
    assert {bytes(r.pdf) for r in StoredReport.objects.all()} == {PLACEHOLDER_PDF}
    deliveries = ReportDelivery.objects.filter(client=world.acme)
    assert deliveries.count() == 3
    assert all(d.status == "sent" and d.on_time for d in deliveries)
    run_seeders(ctx, [seeder])  # again: schedules exist, nothing is added
    assert StoredReport.objects.count() == 4
