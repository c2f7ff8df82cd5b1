"""Surveys the requester when a ticket is resolved (once per ticket, reopened or not)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.dispatch import receiver

from steward.servicedesk.choices import EventKind, Status
from steward.servicedesk.models import Ticket, TicketEvent
from steward.servicedesk.services import csat
from steward.servicedesk.signals import event_recorded


@receiver(event_recorded, sender=Ticket, dispatch_uid="servicedesk-csat-on-resolve")
def survey_on_resolve(sender: Any, ticket: Ticket, event: TicketEvent, **kwargs: Any) -> None:
    if event.kind != EventKind.STATUS or event.to_value != Status.RESOLVED:
        return
    survey = csat.create_survey(ticket, now=event.at)
    if survey is not None:
        # After commit: a rolled-back resolve sends nothing, a failed send undoes nothing.
        transaction.on_commit(lambda: csat.send_survey_mail(survey), robust=True)
