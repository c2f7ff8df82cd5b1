"""Automatic assignment of new tickets (``routing.pick_technician``), on ``event_recorded``."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from steward.servicedesk import routing, services
from steward.servicedesk.choices import EventKind, Source
from steward.servicedesk.models import Ticket, TicketEvent
from steward.servicedesk.signals import event_recorded

log = logging.getLogger(__name__)


@receiver(event_recorded, sender=Ticket, dispatch_uid="servicedesk.routing.auto_assign")
def auto_assign(sender: Any, ticket: Ticket, event: TicketEvent, **kwargs: Any) -> None:
    """Give a newly created ticket to the technician routing picks, when its queue assigns
    automatically. Imported tickets keep the assignee their history gives them."""
    if event.kind != EventKind.CREATED or ticket.assignee_id is not None:
        return
    if ticket.source == Source.IMPORT:
        return
    if not routing.queue_auto_assigns(routing.effective_queue(ticket)):
        return
    # Who is on shift and how loaded is a question about the present, even for a ticket
    # opened with an earlier ``at``.
    now = max(timezone.now(), event.at)
    technician = routing.pick_technician(ticket, now)
    if technician is None:
        return
    try:
        # A savepoint: a refused assignment must not undo the ticket being opened.
        with transaction.atomic():
            services.assign(ticket, technician, at=now)
    except ValidationError as exc:
        log.warning("routing could not assign %s to %s: %s", ticket, technician, exc)
