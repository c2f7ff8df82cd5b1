"""Reading historical tickets into checked row records: the records, the checks every format
shares, and CSV (JSON and JSON Lines: ``parse_json``).

Parsing is pure (no database): every field is checked here, so a row either becomes a
``TicketRecord`` whose values the writer can store, or a ``Rejected`` row naming each bad field
and why. Only a payload that cannot be read at all (not JSON, a CSV without the required
columns) raises ``PayloadError``. The format is documented in docs/servicedesk.md ("Import and
export").
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from steward.servicedesk.choices import TRANSITIONS, Impact, Priority, Status, TicketKind, Urgency

# Columns an export adds (the computed SLA outcome): accepted on import and ignored, so an
# export can be imported again. Recomputed from the timestamps instead.
COMPUTED_FIELDS = frozenset(
    {
        "number",
        "status",
        "response_due_at",
        "resolution_due_at",
        "responded_at",
        "response_met",
        "resolution_met",
        "business_seconds_to_response",
        "business_seconds_to_resolution",
        "paused_business_seconds",
    }
)
TICKET_FIELDS = (
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
    "created_at",
)
CSV_EVENT_FIELDS = ("first_response_at", "status_changes", "resolved_at", "closed_at")
CSV_FIELDS = frozenset(TICKET_FIELDS + CSV_EVENT_FIELDS) | COMPUTED_FIELDS
JSON_FIELDS = frozenset((*TICKET_FIELDS, "events", "resolved_at", "closed_at")) | COMPUTED_FIELDS
REQUIRED_COLUMNS = ("external_ref", "created_at")
EVENT_TYPES = ("status", "reply", "note", "plan")
EVENT_KEYS = frozenset({"at", "type", "status", "public", "body", "by"})
MAX_LENGTH = {
    "external_ref": 100,
    "client": 50,
    "subject": 255,
    "category": 50,
    "requester_email": 254,
    "by": 254,
}
MAX_TEXT = 100_000  # a description or a reply body
MAX_EVENTS = 1000  # per ticket
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
NO_OFFSET = "not an ISO 8601 time with an offset (e.g. 2026-01-02T10:00:00+01:00)"
# The choices as plain tuples: ``TextChoices.values`` builds a new list on every call.
PRIORITIES, KINDS = tuple(Priority.values), tuple(TicketKind.values)
IMPACTS, URGENCIES = tuple(Impact.values), tuple(Urgency.values)
TARGET_STATUSES = frozenset(Status.values) - {Status.NEW}  # statuses an event can move to
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
csv.field_size_limit(MAX_TEXT + 1)


class PayloadError(ValueError):
    """The payload as a whole cannot be read (the API answers 422, the CLI stops)."""


class PayloadTooLarge(PayloadError):
    """The payload holds more rows than the caller allows (the API answers 413)."""


@dataclass(frozen=True, slots=True)
class RowError:
    """One bad field of one row: ``row`` is the 1-based data row of a CSV or JSON Lines file,
    or the 0-based index in a JSON array."""

    row: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.field}: {self.reason}"

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class Rejected:
    """A row that is not imported, with every reason found."""

    row: int
    errors: tuple[RowError, ...]


@dataclass(frozen=True, slots=True)
class EventRecord:
    """One timeline entry after creation; ``source`` names the field it came from."""

    at: datetime
    type: str
    status: str = ""
    public: bool = False
    body: str = ""
    by: str = ""
    source: str = ""


@dataclass(slots=True)
class TicketRecord:
    """One checked ticket: every value is of the right type and within bounds; names (client,
    category, requester, ``by``) are resolved by the writer."""

    row: int
    external_ref: str
    client: str
    subject: str
    description: str
    kind: str
    priority: str
    impact: str
    urgency: str
    category: str
    requester_email: str
    created_at: datetime
    events: list[EventRecord] = field(default_factory=list)


Parsed = TicketRecord | Rejected


# --- Values -------------------------------------------------------------------------------------


def text_problem(value: str) -> str | None:
    """Why PostgreSQL could not store ``value`` as text, or None."""
    found = UNSTORABLE.search(value)
    if found is None:
        return None
    if found.group() == "\x00":
        return "text may not contain NUL characters"
    return "text contains an unpaired UTF-16 surrogate (not valid Unicode)"


def parse_time(value: Any, now: datetime) -> tuple[datetime | None, str | None]:
    """An aware instant (in UTC) from ISO 8601 text with an offset, or why it is not one."""
    if not isinstance(value, str):
        return None, NO_OFFSET
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None, NO_OFFSET
    if moment.tzinfo is None or moment.utcoffset() is None:
        return None, NO_OFFSET
    try:
        instant = moment.astimezone(UTC)
    except OverflowError:
        return None, "out of range"
    if instant < EARLIEST:
        return None, "before 1970"
    if instant > now:
        return None, "in the future (only past tickets can be imported)"
    # In UTC from here: stored so, and what the SLA engine works in.
    return instant, None


class Row:
    """Collects the checked values and the errors of one row."""

    def __init__(self, row: int, raw: Mapping[str, Any], now: datetime) -> None:
        self.row, self.raw, self.now = row, raw, now
        self.errors: list[RowError] = []

    def fail(self, name: str, reason: str) -> None:
        self.errors.append(RowError(self.row, name, reason))

    def text(self, name: str, *, required: bool = False, value: Any = None) -> str:
        value = self.raw.get(name) if value is None else value
        if value is None or value == "":
            if required:
                self.fail(name, "required")
            return ""
        if not isinstance(value, str):
            self.fail(name, "must be text")
            return ""
        problem = text_problem(value)
        limit = MAX_LENGTH.get(name.rsplit(".", 1)[-1], MAX_TEXT)
        if problem is None and len(value) > limit:
            problem = f"longer than {limit} characters"
        if problem is not None:
            self.fail(name, problem)
            return ""
        value = value.strip() if name != "description" else value
        if required and not value:
            self.fail(name, "required")
        return value

    def choice(self, name: str, choices: tuple[str, ...], default: str = "") -> str:
        value = self.text(name)
        if not value:
            return default
        if value not in choices:
            self.fail(name, f"{value!r} is not one of {', '.join(choices)}")
            return default
        return value

    def time(self, name: str, value: Any = None, *, required: bool = False) -> datetime | None:
        value = self.raw.get(name) if value is None else value
        if value is None or value == "":
            if required:
                self.fail(name, "required")
            return None
        moment, reason = parse_time(value, self.now)
        if reason is not None:
            self.fail(name, reason)
        return moment


def ticket_fields(row: Row, default_client: str) -> TicketRecord:
    client = row.text("client") or default_client
    if not client:
        row.fail("client", "required (or name the client for the whole import)")
    elif default_client and client != default_client:
        row.fail("client", f"this import is for client {default_client!r}")
    priority = row.choice("priority", PRIORITIES)
    impact = row.choice("impact", IMPACTS)
    urgency = row.choice("urgency", URGENCIES)
    if not priority and not (impact and urgency):
        given = [name for name in ("priority", "impact", "urgency") if row.raw.get(name)]
        if not given:
            row.fail("priority", "give a priority (P1-P4), or impact and urgency")
        elif given == ["impact"]:
            row.fail("urgency", "required with impact (or give a priority)")
        elif given == ["urgency"]:
            row.fail("impact", "required with urgency (or give a priority)")
        # Otherwise a value given was bad, and is reported already.
    return TicketRecord(
        row=row.row,
        external_ref=row.text("external_ref", required=True),
        client=client,
        subject=row.text("subject", required=True),
        description=row.text("description"),
        kind=row.choice("kind", KINDS, TicketKind.INCIDENT),
        priority=priority,
        impact=impact,
        urgency=urgency,
        category=row.text("category"),
        requester_email=row.text("requester_email").lower(),
        created_at=row.time("created_at", required=True) or EARLIEST,
    )


def _check_history(row: Row, record: TicketRecord) -> None:
    """Events sorted by time (stable), none before creation, statuses following the workflow."""
    record.events.sort(key=lambda event: event.at)
    status = Status.NEW
    for event in record.events:
        if event.at < record.created_at:
            row.fail(event.source, "before created_at")
        if event.type != "status":
            continue
        if event.status not in TRANSITIONS[status]:
            row.fail(event.source, f"cannot go from {status} to {event.status}")
        else:
            status = Status(event.status)
    if len(record.events) > MAX_EVENTS:
        row.fail("events", f"more than {MAX_EVENTS} events")


def finish(row: Row, record: TicketRecord) -> Parsed:
    if not row.errors:
        _check_history(row, record)
    if row.errors:
        return Rejected(row.row, tuple(row.errors))
    return record


# --- CSV ----------------------------------------------------------------------------------------


def _status_changes(row: Row, value: str) -> list[EventRecord]:
    """``2026-01-02T10:00:00+01:00=waiting_on_client;…`` as status events."""
    events = []
    for part in filter(None, (piece.strip() for piece in value.split(";"))):
        moment_text, sep, status = part.rpartition("=")
        if not sep:
            row.fail("status_changes", f"{part!r} is not TIME=STATUS")
            continue
        if not moment_text.strip():
            row.fail("status_changes", f"{part!r} has no time before the '='")
            continue
        moment = row.time("status_changes", moment_text)
        if status.strip() not in TARGET_STATUSES:
            row.fail("status_changes", f"{status.strip()!r} is not a status one can move to")
        elif moment is not None:
            events.append(EventRecord(moment, "status", status.strip(), source="status_changes"))
    return events


def done_events(row: Row, events: list[EventRecord]) -> list[EventRecord]:
    """``resolved_at`` and ``closed_at`` as status events, unless the listed changes already
    hold that very transition (an export lists both)."""
    added = []
    for name, status in (("resolved_at", Status.RESOLVED), ("closed_at", Status.CLOSED)):
        moment = row.time(name)
        if moment is None:
            continue
        if any(e.type == "status" and e.status == status and e.at == moment for e in events):
            continue
        added.append(EventRecord(moment, "status", status, source=name))
    return added


def _csv_record(row: Row, default_client: str) -> Parsed:
    record = ticket_fields(row, default_client)
    responded = row.time("first_response_at")
    if responded is not None:
        reply = EventRecord(responded, "reply", public=True, source="first_response_at")
        record.events.append(reply)
    record.events += _status_changes(row, row.text("status_changes"))
    record.events += done_events(row, record.events)
    return finish(row, record)


def _header(reader: Any) -> list[str]:
    try:
        names = next(reader)
    except StopIteration:
        raise PayloadError("the CSV is empty: it needs a header row") from None
    except csv.Error as error:
        raise PayloadError(f"the CSV header cannot be read: {error}") from None
    header = [name.strip().lstrip("\ufeff").lower() for name in names]
    unknown = sorted(set(header) - CSV_FIELDS)
    if unknown:
        raise PayloadError(f"unknown column {unknown[0]!r}")
    if len(set(header)) != len(header):
        raise PayloadError("a column appears twice in the header")
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise PayloadError(f"the CSV has no {missing[0]!r} column")
    return header


def parse_csv(lines: Iterable[str], now: datetime, default_client: str = "") -> Iterator[Parsed]:
    """Rows of a CSV file with a header row (columns in any order). Raises ``PayloadError``
    (before yielding anything) when the header is unusable."""
    reader = csv.reader(iter(lines))
    header = _header(reader)
    number = 0
    while True:
        number += 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield Rejected(number, (RowError(number, "row", f"unreadable CSV: {error}"),))
            continue
        if not values:
            number -= 1  # an empty line is no row (a line of empty values is one, reported)
            continue
        if len(values) > len(header):
            yield Rejected(number, (RowError(number, "row", "more values than columns"),))
            continue
        raw = dict(zip(header, values, strict=False))
        yield _csv_record(Row(number, raw, now), default_client)
