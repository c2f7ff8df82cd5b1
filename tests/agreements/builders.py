"""How to make one Acme object of each agreements model, for the generated isolation walks
(tests/test_isolation.py merges these into its ACME_BUILDERS)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from django.db import models

from steward.agreements import services
from steward.agreements.models import Agreement, BusinessCalendar, License, Reminder, SlaPolicy

ACME_CALENDAR: dict[str, Any] = {"name": "Acme office hours", "timezone": "Europe/Berlin",
                                 "hours": {"mon": [["09:00", "17:00"]]}}  # fmt: skip


def acme_agreement(world: Any) -> Agreement:
    """Acme's agreement, with an SLA policy in effect (so every GET under it has an answer)."""
    found = Agreement.objects.filter(client=world.acme).order_by("pk").first()
    if found is not None:
        return found
    agreement = services.create_agreement(
        world.acme, reference="ACME-ISO-1", start_date=date(2025, 1, 1), notice_days=90
    )
    services.create_sla_policy(agreement, name="Acme SLA", calendar=acme_calendar(world))
    return agreement


def acme_calendar(world: Any) -> BusinessCalendar:
    found = BusinessCalendar.objects.filter(client=world.acme).order_by("pk").first()
    return found or services.create_calendar(ACME_CALENDAR, client=world.acme)


def acme_sow(world: Any) -> models.Model:
    return services.create_sow(
        acme_agreement(world), title="Acme workplace", start_date=date(2025, 1, 1)
    )


def acme_license(world: Any) -> License:
    return services.create_license(
        world.acme, vendor="Microsoft", product="Acme tenant E3", seats=5,
        start_date=date(2025, 1, 1), end_date=date(2025, 12, 31),
    )  # fmt: skip


def acme_policy(world: Any) -> SlaPolicy:
    return acme_agreement(world).sla_policies.get()


def acme_reminder(world: Any) -> models.Model:
    acme_agreement(world)  # notice deadline 2025-10-02: ten days before it, the 30-day reminder
    services.raise_reminders(datetime(2025, 9, 22, 10, tzinfo=UTC))
    found = Reminder.objects.filter(client=world.acme).order_by("pk").first()
    assert found is not None
    return found


AGREEMENT_BUILDERS: dict[str, Callable[[Any], models.Model]] = {
    "agreements.agreement": acme_agreement,
    "agreements.statementofwork": acme_sow,
    "agreements.license": acme_license,
    "agreements.businesscalendar": acme_calendar,
    "agreements.slapolicy": acme_policy,
    "agreements.reminder": acme_reminder,
}
