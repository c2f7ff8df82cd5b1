"""What the service-desk measures share: evidence lines and links, refusals, SLA inputs."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse

from steward.agreements.models import SlaTarget
from steward.obligations.periods import Period
from steward.obligations.registry import Evidence, MeasureResult
from steward.servicedesk.choices import Priority
from steward.servicedesk.models import Ticket
from steward.tenancy.models import Client

EVIDENCE_LIMIT = 50
HOUR = Decimal(3600)


# --- Shared pieces -------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _has_ticket_page() -> bool:
    try:
        reverse("servicedesk:ticket", kwargs={"ticket_id": 1})
    except NoReverseMatch:
        return False
    return True


def ticket_url(ticket_id: int) -> str:
    """The ticket's page in the web UI, or its API address when the UI has no such page."""
    if _has_ticket_page():
        return reverse("servicedesk:ticket", kwargs={"ticket_id": ticket_id})
    return f"/api/v1/tickets/{ticket_id}"


def ticket_evidence(ticket: Ticket, detail: str) -> Evidence:
    return Evidence(
        f"#{ticket.pk} {ticket.subject} ({ticket.priority}): {detail}",
        url=ticket_url(ticket.pk),
        ref=f"servicedesk.ticket:{ticket.pk}",
    )


def hours(seconds: int | Decimal | None) -> str:
    """Business seconds as "1 h 05 min" for evidence labels."""
    if seconds is None:
        return "-"
    minutes = int(seconds) // 60
    return f"{minutes // 60} h {minutes % 60:02d} min"


def bad_priority(priority: str) -> MeasureResult | None:
    if priority == "" or priority in Priority.values:
        return None
    allowed = ", ".join(Priority.values)
    return MeasureResult(
        None, note=f"Unknown priority {priority!r}: use {allowed}, or an empty value for all."
    )


def which(priority: str) -> str:
    return f"{priority} tickets" if priority else "tickets"


def bounds(client: Client, period: Period) -> tuple[datetime, datetime]:
    return period.bounds(client.timezone)


def capped(items: Iterable[Evidence], total: int) -> tuple[list[Evidence], str]:
    evidence = list(items)
    hidden = total - len(evidence)
    return evidence, (f"{hidden} more not listed." if hidden > 0 else "")


def sla_inputs(tickets: QuerySet[Ticket]) -> list[dict[str, Any]]:
    """The SLA policy versions the tickets were judged by, with their targets per priority."""
    policy_ids = tickets.exclude(sla_policy=None).values("sla_policy_id").distinct()
    targets = (
        SlaTarget.objects.filter(policy_id__in=policy_ids)
        .select_related("policy")
        .order_by("policy_id", "priority")
    )
    policies: dict[int, dict[str, Any]] = {}
    for target in targets:
        entry = policies.setdefault(
            target.policy_id,
            {"id": target.policy_id, "version": target.policy.version, "targets": {}},
        )
        entry["targets"][target.priority] = {
            "response_seconds": target.response_seconds,
            "resolution_seconds": target.resolution_seconds,
        }
    return list(policies.values())


def targets_of(policies: list[dict[str, Any]]) -> dict[tuple[int, str], dict[str, int]]:
    return {
        (p["id"], priority): seconds for p in policies for priority, seconds in p["targets"].items()
    }


def first_row(rows: list[Any]) -> Any:
    return rows[0] if rows else None
