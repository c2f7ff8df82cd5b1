"""Writing checked ticket records: resolve names, compute the SLA outcome in memory, insert in
bulk, and record one audit entry for the whole import.

1. Each record's names (client, requester, category, ``by`` of its events) are resolved from a
   ``Directory`` (dictionary lookups); a name that does not resolve, or a client the importing
   user cannot see, rejects the row; a ref the client already has is a duplicate.
2. The ticket and its events are built as unsaved model instances, exactly as the verbs of
   ``services.tickets`` would store them, and the SLA columns are computed from those events
   with ``compute_columns`` and one shared ``TermsCache`` (each calendar compiled once).
3. Every ``batch_size`` tickets, the tickets are inserted with reserved ids, then their events
   (``bulk.insert``: COPY on PostgreSQL, executemany on SQLite), all in the caller's single
   transaction: a ticket is never stored without its events.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from types import SimpleNamespace
from typing import Any, cast

from django.db import connection, transaction

from steward.core import audit
from steward.core.bulk import bulk_session
from steward.core.choices import AuditAction
from steward.servicedesk.choices import (
    DONE_STATUSES,
    EventKind,
    Impact,
    Source,
    Status,
    Urgency,
    matrix_priority,
)
from steward.servicedesk.importing import bulk
from steward.servicedesk.importing.bulk import PendingEvent
from steward.servicedesk.importing.directory import (
    ClientFacts,
    Directory,
    agreement_at,
    in_scope_at,
)
from steward.servicedesk.importing.parse import Parsed, Rejected, RowError, TicketRecord
from steward.servicedesk.models import Ticket, TicketEvent
from steward.servicedesk.services.sla import TermsCache, compute_columns
from steward.tenancy.models import User

IMPORTED_PRIORITY = "priority as imported"
KIND_OF = {"status": EventKind.STATUS, "reply": EventKind.REPLY, "note": EventKind.NOTE}
KIND_OF["plan"] = EventKind.PLAN


@dataclass(frozen=True, slots=True)
class Duplicate:
    """A row whose ref its client already has (stored before, or earlier in this import)."""

    row: int
    client: str
    external_ref: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "client": self.client, "external_ref": self.external_ref}


@dataclass
class ImportReport:
    """What an import did: tickets stored, duplicates skipped, rows rejected."""

    imported: int = 0
    events: int = 0
    duplicates: list[Duplicate] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rejected_rows: int = 0
    dry_run: bool = False
    per_client: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        return {
            "imported": self.imported,
            "events": self.events,
            "duplicates": len(self.duplicates),
            "rejected": self.rejected_rows,
            "dry_run": self.dry_run,
            "duplicate_rows": [d.as_dict() for d in self.duplicates],
            "errors": [e.as_dict() for e in self.errors],
        }


@dataclass
class _Built:
    ticket: SimpleNamespace
    events: list[PendingEvent]


@cache
def ticket_defaults() -> dict[str, Any]:
    """Every column of ``Ticket`` with its default: a ticket on its way into the table is a
    namespace of these (a model instance costs ten times more to make)."""
    fields = Ticket._meta.concrete_fields
    return {
        f.attname: None if f.has_default() and callable(f.default) else f.get_default()
        for f in fields
    }


class Writer:
    """Builds tickets from records and writes them in batches (see the module docstring)."""

    def __init__(self, user: User, now: datetime, *, dry_run: bool, batch_size: int) -> None:
        self.user, self.now, self.dry_run, self.batch_size = user, now, dry_run, batch_size
        self.directory = Directory.load(user)
        self.terms = TermsCache()
        self.report = ImportReport(dry_run=dry_run)
        self.pending: list[TicketRecord] = []
        self.background = bulk.BackgroundWriter()
        self.next_id: int | None = None

    def take(self, parsed: Parsed) -> None:
        if isinstance(parsed, Rejected):
            self._reject(parsed.errors)
            return
        self.pending.append(parsed)
        if len(self.pending) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        """Build the pending records (their clients' facts loaded in one go) and write them."""
        records, self.pending = self.pending, []
        clients = self.directory.clients
        involved = {clients[r.client] for r in records if r.client in clients}
        if self.directory.unknown(involved):
            self.background.wait()  # the directory is about to query the connection
            self.directory.prepare(involved, self.terms)
        batch = [built for record in records if (built := self._build(record)) is not None]
        if not batch:
            return
        self.report.imported += len(batch)
        self.report.events += sum(len(b.events) for b in batch)
        if self.dry_run:
            return
        # The previous batch may still be writing: the connection is ours again after this.
        self.background.wait()
        for built, pk in zip(batch, self._ids(len(batch)), strict=True):
            built.ticket.id = pk
            for event in built.events:
                event.ticket_id = pk
        tickets = bulk.prepare(Ticket, [b.ticket for b in batch], with_pk=True)
        events = bulk.prepare(TicketEvent, [e for b in batch for e in b.events])
        self.background.submit([tickets, events])

    def _ids(self, count: int) -> list[int]:
        if connection.vendor == "postgresql":
            return bulk.reserve_ids(Ticket, count)
        # SQLite: the import's transaction holds the write lock from its start, so after the
        # first look at the table the numbers simply continue.
        if self.next_id is None:
            self.next_id = bulk.reserve_ids(Ticket, 1)[0]
        first, self.next_id = self.next_id, self.next_id + count
        return list(range(first, first + count))

    def close(self) -> None:
        """Wait for the last batch to be written (raising its error, if any)."""
        self.background.wait()

    def _reject(self, errors: Iterable[RowError]) -> None:
        self.report.errors.extend(errors)
        self.report.rejected_rows += 1

    def _build(self, record: TicketRecord) -> _Built | None:
        client = self.directory.clients.get(record.client)
        if client is None:
            reason = f"no client {record.client!r} that you can see"
            self._reject([RowError(record.row, "client", reason)])
            return None
        facts = self.directory.facts(client)
        if record.external_ref in facts.refs:
            self.report.duplicates.append(Duplicate(record.row, client.code, record.external_ref))
            return None
        errors: list[RowError] = []
        ticket = self._ticket(record, facts, errors)
        events = self._events(record, facts, ticket, errors)
        if errors:
            self._reject(errors)
            return None
        facts.refs.add(record.external_ref)
        self._finish(ticket, events)
        self.report.per_client[client.code] += 1
        return _Built(ticket, events)

    def _ticket(
        self, record: TicketRecord, facts: ClientFacts, errors: list[RowError]
    ) -> SimpleNamespace:
        requester = None
        if record.requester_email:
            requester = facts.contacts.get(record.requester_email)
            if requester is None:
                reason = f"no contact of {facts.client.code} has this email"
                errors.append(RowError(record.row, "requester_email", reason))
        category, offering = None, None
        if record.category:
            category, offering = self.directory.categories.get(record.category, (None, None))
            if category is None:
                errors.append(RowError(record.row, "category", "no category with this code"))
        impact = record.impact or Impact.LOW
        urgency = record.urgency or Urgency.MEDIUM
        matrix = matrix_priority(impact, urgency)
        priority = record.priority or matrix
        at = record.created_at
        values = dict(
            client_id=facts.client.pk,
            agreement_id=agreement_at(facts, at),
            requester_id=requester,
            kind=record.kind,
            subject=record.subject,
            description=record.description,
            impact=impact,
            urgency=urgency,
            priority=priority,
            priority_reason="" if priority == matrix else IMPORTED_PRIORITY,
            category_id=category,
            in_scope=in_scope_at(facts, offering, at),
            source=Source.IMPORT,
            external_ref=record.external_ref,
            created_at=at,
            updated_at=at,
        )
        return SimpleNamespace(**(ticket_defaults() | values))

    def _events(
        self,
        record: TicketRecord,
        facts: ClientFacts,
        ticket: SimpleNamespace,
        errors: list[RowError],
    ) -> list[PendingEvent]:
        client_id = facts.client.pk
        created = PendingEvent(
            client_id=client_id,
            at=record.created_at,
            kind=EventKind.CREATED,
            actor_id=None if ticket.requester_id else self.user.pk,
            actor_contact_id=ticket.requester_id,
            to_value=Status.NEW,
            body=record.description,
            public=True,
            data={"source": Source.IMPORT, "priority": ticket.priority},
        )
        events = [created]
        status: str = Status.NEW
        for item in record.events:
            actor: int | None = self.user.pk
            contact: int | None = None
            if item.by:
                actor = self.directory.staff.get(item.by)
                if actor is None:
                    contact = facts.contacts.get(item.by)
                if actor is None and contact is None:
                    reason = f"no staff user or contact of {facts.client.code} by this name"
                    errors.append(RowError(record.row, f"{item.source}.by", reason))
            event = PendingEvent(
                client_id=client_id,
                at=item.at,
                kind=KIND_OF[item.type],
                actor_id=actor,
                actor_contact_id=contact,
                body=item.body,
                public=item.public,
            )
            if item.type == "status":
                event.from_value, event.to_value = status, item.status
                if status in DONE_STATUSES:
                    event.data = {"reopen": True}
                status = item.status
            events.append(event)
        return events

    def _finish(self, ticket: SimpleNamespace, events: list[PendingEvent]) -> None:
        """Status, closing, reopens and the SLA columns, as the verbs would have left them."""
        for event in events:
            if event.kind != EventKind.STATUS:
                continue
            if event.from_value in DONE_STATUSES and event.to_value not in DONE_STATUSES:
                ticket.reopen_count += 1
            ticket.closed_at = event.at if event.to_value == Status.CLOSED else None
            ticket.status = event.to_value
        ticket.updated_at = max(e.at for e in events)
        # Duck-typed: ``TermsCache.for_ticket`` reads agreement_id, created_at and priority;
        # ``clock_events`` reads kind, at, to_value, public and by_staff.
        timeline = cast(list[TicketEvent], events)
        row = cast(Ticket, ticket)
        # The old system's breaches are history, not news: settled, never announced.
        columns = compute_columns(row, timeline, self.now, self.terms, settle=True)
        for name, value in columns.items():
            setattr(ticket, name, value)


def write_tickets(
    records: Iterable[Parsed],
    *,
    user: User,
    now: datetime,
    dry_run: bool = False,
    batch_size: int = 2000,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import parsed records as historical tickets of the clients ``user`` can see; returns
    the report. Valid rows are kept, invalid ones are not written at all, and one audit entry
    records the import (none for a dry run)."""
    writer = Writer(user, now, dry_run=dry_run, batch_size=batch_size)
    with transaction.atomic(), bulk_session():
        try:
            for count, parsed in enumerate(records, start=1):
                writer.take(parsed)
                if progress is not None and count % 1000 == 0:
                    progress(count)
            writer.flush()
        finally:
            # Never leave the transaction (commit or roll back) while a batch is writing.
            writer.close()
        report = writer.report
        if not dry_run and report.imported:
            _audit(report)
    if progress is not None:
        progress(report.imported + len(report.duplicates) + report.rejected_rows)
    return report


def _audit(report: ImportReport) -> None:
    clients = dict(sorted(report.per_client.items()))
    audit.record(
        AuditAction.CREATE,
        object_type="servicedesk.ticket",
        object_repr=f"import of {report.imported} tickets",
        client_id=None,
        after={
            "imported": report.imported,
            "events": report.events,
            "duplicates": len(report.duplicates),
            "rejected": report.rejected_rows,
            "per_client": clients,
        },
    )
