"""Demo data for reporting: a report schedule per demo client (the primary contact, A4 or
Letter by country) and the last months' stored versions and deliveries, mostly on time.

Cheap on purpose: no PDF is rendered. Each stored demo version holds a one-page placeholder PDF
that says so; "Generate now" on the client's report page makes a real one. After the service
desk and monitoring (400, 500), before obligations (900), whose "report delivered on time"
measure reads these deliveries.
"""

from __future__ import annotations

import hashlib
from datetime import time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction

from steward.core import audit
from steward.core.choices import AuditAction
from steward.core.demo import DemoContext, demo_seeder
from steward.obligations.periods import Period
from steward.reporting.choices import DeliveryStatus, Paper, Trigger
from steward.reporting.models import ReportDelivery, ReportSchedule, StoredReport
from steward.reporting.scheduling import deadline, run_instant
from steward.reporting.services.calendars import calendar_for
from steward.reporting.services.delivery import ScheduleSpec, save_schedule
from steward.tenancy.models import Client, Contact

HISTORY_MONTHS = 3
LETTER_COUNTRIES = frozenset({"US", "CA", "MX"})
# A one-page PDF saying that this is a demo placeholder (built by hand: no renderer runs).
_TEXT = b"BT /F1 14 Tf 72 760 Td (Demo placeholder: use Generate now for the real report.) Tj ET"
PLACEHOLDER_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R"
    b"/Resources<</Font<</F1 5 0 R>>>>>>endobj\n"
    b"4 0 obj<</Length "
    + str(len(_TEXT)).encode()
    + b">>stream\n"
    + _TEXT
    + b"\nendstream endobj\n"
    b"5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _history(ctx: DemoContext, client: Client, schedule: ReportSchedule, index: int) -> int:
    """Stored versions and deliveries of the last months; every 7th client was late once."""
    zone = ZoneInfo(client.timezone)
    spec = calendar_for(client, schedule)
    contacts = list(schedule.contacts.all())
    current = Period.at(ctx.now, zone)
    made = 0
    for back in range(HISTORY_MONTHS, 0, -1):
        run_month = current.shift(-back + 1)
        slot = run_instant(spec, run_month, schedule.business_day, schedule.send_time, zone)
        reported = run_month.previous()
        if slot > ctx.now or (client.onboarded_on and reported.end <= client.onboarded_on):
            continue
        late = index % 7 == 3 and back == 2
        sent_at = slot + (timedelta(days=4) if late else timedelta(minutes=ctx.rng.randint(1, 9)))
        due = deadline(spec, reported, schedule.business_day, zone)
        stored = StoredReport.objects.create(
            client=client,
            period=reported.key,
            version=1,
            paper=schedule.paper,
            trigger=Trigger.SCHEDULE,
            sha256=hashlib.sha256(PLACEHOLDER_PDF).hexdigest(),
            size=len(PLACEHOLDER_PDF),
            pdf=PLACEHOLDER_PDF,
            generated_at=slot,
        )
        ReportDelivery.objects.bulk_create(
            ReportDelivery(
                client=client,
                report=stored,
                contact=c,
                email=c.email,
                trigger=Trigger.SCHEDULE,
                status=DeliveryStatus.SENT,
                due_at=due,
                sent_at=sent_at,
                on_time=sent_at <= due,
                attempts=1,
                created_at=slot,
            )
            for c in contacts
        )
        made += 1
    return made


@demo_seeder(order=700, name="reporting")
def seed_reporting(ctx: DemoContext) -> None:
    clients = ctx.clients or list(Client.objects.order_by("pk"))
    task = ctx.progress.task("Report schedules and deliveries", len(clients))
    for index, client in enumerate(clients):
        if ReportSchedule.objects.filter(client=client).exists():
            task.advance()
            continue
        contacts = list(
            Contact.objects.filter(client=client)
            .exclude(email="")
            .order_by("-is_primary", "pk")[:1]
        )
        with transaction.atomic():
            schedule = save_schedule(
                client,
                ScheduleSpec(
                    business_day=3 if index % 2 else 5,
                    send_time=time(8, 0),
                    contacts=contacts,
                    paper=Paper.LETTER if client.country in LETTER_COUNTRIES else Paper.A4,
                ),
                now=ctx.now,
            )
            made = _history(ctx, client, schedule, index)
            audit.record(
                AuditAction.CREATE,
                object_type="reporting.storedreport",
                object_repr=f"demo report history of {client}",
                client_id=client.pk,
                after={"months": made, "contacts": [c.email for c in contacts]},
            )
        task.advance()
