"""How to make one Acme object of each service desk model, for the generated isolation walks
(tests/test_isolation.py merges these into its ACME_BUILDERS)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models

from steward.servicedesk import services
from steward.servicedesk.choices import EventKind
from steward.servicedesk.models import Attachment, Ticket, TicketEvent
from tests.agreements.builders import acme_agreement

# A PNG's magic bytes: the sniffed type is image/png whatever the file is called.
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def acme_ticket(world: Any) -> Ticket:
    """Acme's ticket (under its agreement with an SLA policy), with a public reply carrying an
    attachment and an internal note."""
    found = Ticket.objects.filter(client=world.acme).order_by("pk").first()
    if found is not None:
        return found
    acme_agreement(world)
    ticket = services.open_ticket(
        world.acme,
        subject="Acme printer jams",
        description="Acme HQ, second floor",
        requester=world.acme_contact,
        site=world.acme_site,
        by=world.bob,
    )
    answer = services.reply(ticket, "Acme: on my way", by=world.bob)
    services.add_attachment(ticket, "acme-floor.png", PNG, by=world.bob, event=answer)
    services.reply(ticket, "Acme internal: toner empty", by=world.bob, public=False)
    return ticket


def acme_attachment(world: Any) -> Attachment:
    acme_ticket(world)
    found = Attachment.objects.filter(client=world.acme).order_by("pk").first()
    assert found is not None
    return found


def acme_event(world: Any) -> TicketEvent:
    found = acme_ticket(world).events.filter(kind=EventKind.REPLY).order_by("pk").first()
    assert found is not None
    return found


# Imported last: the work area's builders make their objects on acme_ticket, defined above.
from tests.servicedesk.builders_work import WORK_BUILDERS  # noqa: E402

SERVICEDESK_BUILDERS: dict[str, Callable[[Any], models.Model]] = {
    "servicedesk.ticket": acme_ticket,
    "servicedesk.attachment": acme_attachment,
    "servicedesk.ticketevent": acme_event,
    **WORK_BUILDERS,
}
