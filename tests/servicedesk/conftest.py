"""The service desk's test world: Acme and Globex each under an agreement with an SLA policy
on office hours (P1 on 24x7), and a small service catalog."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest

from steward.agreements import services as agreements
from steward.agreements.models import Agreement, ServiceCategory, SlaPolicy
from steward.servicedesk import services
from steward.servicedesk.models import Ticket
from tests.conftest import World
from tests.servicedesk.smtp import Sink, serving_sink

BERLIN_OFFICE: dict[str, Any] = {
    "name": "Acme office hours",
    "timezone": "Europe/Berlin",
    "hours": {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
    "holidays": {"country": "DE", "subdivision": "BE"},
}
NEW_YORK_OFFICE: dict[str, Any] = {
    "name": "Globex office hours",
    "timezone": "America/New_York",
    "hours": {d: [["08:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
    "holidays": {"country": "US", "subdivision": "NY"},
}
ALWAYS: dict[str, Any] = {"name": "24x7", "timezone": "UTC", "hours": "24x7"}
HOUR = 3600
# (response, resolution, plan) in business seconds per priority.
TARGETS = {
    "P1": (HOUR, 4 * HOUR, None),
    "P2": (2 * HOUR, 8 * HOUR, 4 * HOUR),
    "P3": (4 * HOUR, 16 * HOUR, None),
    "P4": (8 * HOUR, 40 * HOUR, None),
}
# A Monday in office hours, Berlin (CET): 10:00 local.
MONDAY_10 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@dataclass
class Desk:
    world: World
    acme_agreement: Agreement
    globex_agreement: Agreement
    acme_policy: SlaPolicy
    category: ServiceCategory

    def ticket(self, at: datetime = MONDAY_10, **fields: Any) -> Ticket:
        values: dict[str, Any] = {
            "subject": "Printer on fire",
            "requester": self.world.acme_contact,
        }
        client = fields.pop("client", self.world.acme)
        return services.open_ticket(client, at=at, **(values | fields))


def sla_policy(agreement: Agreement, calendar_spec: dict[str, Any], p1_always: bool) -> SlaPolicy:
    calendar = agreements.create_calendar(calendar_spec, client=agreement.client)
    always = agreements.create_calendar(
        ALWAYS | {"name": f"24x7 {agreement.client.code}"}, client=agreement.client
    )
    targets = [
        {
            "priority": p,
            "response_seconds": r,
            "resolution_seconds": s,
            "plan_seconds": plan,
            **({"calendar": always} if p == "P1" and p1_always else {}),
        }
        for p, (r, s, plan) in TARGETS.items()
    ]
    return agreements.create_sla_policy(
        agreement,
        name=f"{agreement.client.name} SLA",
        calendar=calendar,
        pause_statuses=["waiting_on_client", "waiting_on_vendor"],
        targets=targets,
        now=datetime(2025, 1, 1, tzinfo=UTC),
    )


@pytest.fixture
def desk(world: World) -> Desk:
    acme_agreement = agreements.create_agreement(
        world.acme, reference="ACME-MSA", start_date=date(2025, 1, 1), term_months=36
    )
    globex_agreement = agreements.create_agreement(
        world.globex, reference="GLOBEX-MSA", start_date=date(2025, 1, 1), term_months=36
    )
    policy = sla_policy(acme_agreement, BERLIN_OFFICE, p1_always=True)
    sla_policy(globex_agreement, NEW_YORK_OFFICE, p1_always=False)
    offering = agreements.create_offering(name="Managed workplace")
    category = agreements.create_category(offering, code="printing", name="Printing")
    return Desk(world, acme_agreement, globex_agreement, policy, category)


@pytest.fixture
def sink(settings: Any) -> Iterator[Sink]:
    """A real SMTP server on loopback receiving everything Steward mails."""
    with serving_sink(settings) as found:
        yield found
