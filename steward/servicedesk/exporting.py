"""Export of tickets with their SLA outcome, as CSV or JSON, streamed in chunks.

The columns are the import format's (docs/servicedesk.md, "Import and export") followed by the
SLA fields, so an export can be imported again: the SLA fields are then ignored and computed
afresh from the timestamps. Tickets are read in primary-key chunks (a keyset, not an offset),
each chunk's events in one query, so 100,000 tickets never sit in memory at once.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import QuerySet

from steward.servicedesk.choices import EventKind
from steward.servicedesk.models import Ticket, TicketEvent
from steward.tenancy.models import Client

CHUNK = 1000
SLA_COLUMNS = (
    "response_due_at",
    "resolution_due_at",
    "responded_at",
    "resolved_at",
    "response_met",
    "resolution_met",
    "business_seconds_to_response",
    "business_seconds_to_resolution",
    "paused_business_seconds",
)
TICKET_COLUMNS = (
    "number",
    "external_ref",
    "client",
    "subject",
    "description",
    "kind",
    "priority",
    "impact",
    "urgency",
    "category",
    "requester_email",
    "status",
    "created_at",
)
CSV_COLUMNS = (*TICKET_COLUMNS, "first_response_at", "status_changes", "closed_at", *SLA_COLUMNS)
JSON_KEYS = (*TICKET_COLUMNS, "closed_at", *SLA_COLUMNS)
TIMELINE = (EventKind.STATUS, EventKind.REPLY, EventKind.NOTE, EventKind.PLAN)
VALUES = (
    "pk",
    "external_ref",
    "client__code",
    "subject",
    "description",
    "kind",
    "priority",
    "impact",
    "urgency",
    "category__code",
    "requester__email",
    "status",
    "created_at",
    "closed_at",
    *SLA_COLUMNS,
)
EVENT_VALUES = (
    "ticket_id",
    "at",
    "kind",
    "to_value",
    "public",
    "body",
    "actor_id",
    "actor__username",
    "actor_contact__email",
)


def bound(value: str, zone: str) -> datetime:
    """A range bound: a date (midnight in the client's zone ``zone``) or an ISO 8601 time with
    an offset. Raises ``ValueError`` saying what is wrong."""
    if len(value) == 10:
        return datetime.combine(date.fromisoformat(value), time(), ZoneInfo(zone))
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError("give the time with an offset (+01:00 or Z)")
    return moment


def client_tickets(
    tickets: QuerySet[Ticket], client: Client, since: str | None, until: str | None
) -> QuerySet[Ticket]:
    """``tickets`` of ``client`` created in [since, until) (either bound may be missing).
    Raises ``ValueError`` naming the bad bound."""
    rows = tickets.filter(client=client)
    for name, value, lookup in (("since", since, "gte"), ("until", until, "lt")):
        if not value:
            continue
        try:
            moment = bound(value, client.timezone)
        except ValueError as error:
            reason = str(error) if "offset" in str(error) else "not a date or an ISO 8601 time"
            raise ValueError(f"{name}: {reason}") from None
        rows = rows.filter(**{f"created_at__{lookup}": moment})
    return rows


def _time(value: datetime | None) -> str:
    return value.isoformat() if value is not None else ""


def _ticket(row: dict[str, Any]) -> dict[str, Any]:
    """One ticket as export fields (times as ISO 8601 text)."""
    out: dict[str, Any] = {
        "number": row["pk"],
        # A ticket opened in Steward has no ref of its own: its number stands in, so the
        # export can be imported elsewhere.
        "external_ref": row["external_ref"] or f"steward-{row['pk']}",
        "client": row["client__code"],
        "category": row["category__code"] or "",
        "requester_email": row["requester__email"] or "",
    }
    for name in ("subject", "description", "kind", "priority", "impact", "urgency", "status"):
        out[name] = row[name]
    for name in ("created_at", "closed_at", *SLA_COLUMNS):
        value = row[name]
        out[name] = _time(value) if isinstance(value, datetime) or name.endswith("_at") else value
    return out


def _event(row: dict[str, Any]) -> dict[str, Any]:
    event: dict[str, Any] = {"at": _time(row["at"]), "type": row["kind"]}
    if row["kind"] == EventKind.STATUS:
        event["status"] = row["to_value"]
    if row["body"]:
        event["body"] = row["body"]
    by = row["actor_contact__email"] or row["actor__username"]
    if by:
        event["by"] = by
    return event


def chunks(tickets: QuerySet[Ticket]) -> Iterator[list[tuple[dict[str, Any], list[dict]]]]:  # type: ignore[type-arg]
    """The tickets in primary-key order, ``CHUNK`` at a time, each with its timeline rows."""
    last = 0
    while True:
        rows = list(tickets.filter(pk__gt=last).order_by("pk").values(*VALUES)[:CHUNK])
        if not rows:
            return
        last = rows[-1]["pk"]
        events: dict[int, list[dict[str, Any]]] = {row["pk"]: [] for row in rows}
        timeline = (
            TicketEvent.objects.filter(ticket_id__in=list(events), kind__in=TIMELINE)
            .order_by("at", "pk")
            .values(*EVENT_VALUES)
        )
        for event in timeline:
            events[event["ticket_id"]].append(event)
        yield [(row, events[row["pk"]]) for row in rows]


def _csv_line(row: dict[str, Any], timeline: list[dict[str, Any]]) -> list[Any]:
    out = _ticket(row)
    responses = (
        e
        for e in timeline
        if e["kind"] == EventKind.REPLY and e["public"] and e["actor_id"] is not None
        and e["actor_contact__email"] is None
    )  # fmt: skip
    first = next(responses, None)
    out["first_response_at"] = _time(first["at"]) if first else ""
    out["status_changes"] = ";".join(
        f"{_time(e['at'])}={e['to_value']}" for e in timeline if e["kind"] == EventKind.STATUS
    )
    return ["" if out[name] is None else out[name] for name in CSV_COLUMNS]


def export_csv(tickets: QuerySet[Ticket]) -> Iterator[str]:
    """CSV text, header first, one chunk of rows per item."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for chunk in chunks(tickets):
        for row, timeline in chunk:
            writer.writerow(_csv_line(row, timeline))
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def export_json(tickets: QuerySet[Ticket]) -> Iterator[str]:
    """A JSON document ``{"tickets": [...]}``, one chunk of tickets per item."""
    yield '{"tickets": ['
    separator = "\n"
    for chunk in chunks(tickets):
        parts = []
        for row, timeline in chunk:
            ticket = _ticket(row)
            ticket["events"] = [_event(e) for e in timeline]
            parts.append(separator + json.dumps({k: ticket[k] for k in (*JSON_KEYS, "events")}))
            separator = ",\n"
        yield "".join(parts)
    yield "\n]}\n"


def export_tickets(tickets: QuerySet[Ticket], fmt: str) -> Iterator[str]:
    """The tickets as ``csv`` or ``json`` text, streamed."""
    if fmt == "csv":
        return export_csv(tickets)
    if fmt == "json":
        return export_json(tickets)
    raise ValueError(f"unknown format {fmt!r}: use csv or json")
