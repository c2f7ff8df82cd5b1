"""Reading historical tickets from JSON (a list, or ``{"tickets": [...]}``) and JSON Lines
into checked row records (``parse`` has the records and the checks every format shares)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from steward.servicedesk.importing.parse import (
    EVENT_KEYS,
    EVENT_TYPES,
    JSON_FIELDS,
    MAX_EVENTS,
    MAX_LENGTH,
    MAX_TEXT,
    TARGET_STATUSES,
    UNSTORABLE,
    EventRecord,
    Parsed,
    PayloadError,
    Rejected,
    Row,
    RowError,
    done_events,
    finish,
    parse_time,
    ticket_fields,
)


def _key(name: str) -> str:
    """A field name fit for an error message (quoted when blank or odd)."""
    return name if name.isidentifier() else repr(name)


def _event_text(row: Row, index: int, key: str, value: Any, required: bool = False) -> str:
    """A text field of an event; the field's name is only spelled out for an error."""
    limit = MAX_LENGTH.get(key, MAX_TEXT)
    if isinstance(value, str) and len(value) <= limit and UNSTORABLE.search(value) is None:
        stripped = value.strip()
        if stripped or not required:
            return stripped
    return row.text(f"events[{index}].{key}", value=value, required=required)


def _json_event(row: Row, index: int, raw: Any) -> EventRecord | None:
    # The hot path of a large import (eight events a ticket): names of fields are only
    # formatted when something is wrong.
    if not isinstance(raw, dict):
        row.fail(f"events[{index}]", "must be an object")
        return None
    if not raw.keys() <= EVENT_KEYS:
        unknown = sorted(str(key) for key in set(raw) - EVENT_KEYS)
        row.fail(f"events[{index}].{_key(unknown[0])}", "unknown field")
    moment, reason = parse_time(raw.get("at"), row.now)
    if reason is not None:
        row.fail(f"events[{index}].at", "required" if raw.get("at") in (None, "") else reason)
    kind = raw.get("type")
    if kind not in EVENT_TYPES:
        row.fail(f"events[{index}].type", f"must be one of {', '.join(EVENT_TYPES)}")
        return None
    status = ""
    if kind == "status":
        status = _event_text(row, index, "status", raw.get("status"), required=True)
        if status and status not in TARGET_STATUSES:
            row.fail(f"events[{index}].status", f"{status!r} is not a status one can move to")
    public = kind in ("reply", "plan")
    given = raw.get("public", public)
    if not isinstance(given, bool):
        row.fail(f"events[{index}].public", "must be true or false")
    elif given != public and kind != "status":
        row.fail(
            f"events[{index}].public", f"a {kind} is always {'public' if public else 'internal'}"
        )
    body = raw.get("body")
    body = _event_text(row, index, "body", body) if body is not None else ""
    by = raw.get("by")
    by = _event_text(row, index, "by", by).lower() if by is not None else ""
    if moment is None:
        return None
    return EventRecord(moment, kind, status, public, body, by, f"events[{index}]")


def _json_record(row: Row, default_client: str) -> Parsed:
    unknown = sorted(str(key) for key in set(row.raw) - JSON_FIELDS)
    if unknown:
        row.fail(_key(unknown[0]), "unknown field")
    record = ticket_fields(row, default_client)
    events = row.raw.get("events", [])
    if not isinstance(events, list):
        row.fail("events", "must be a list")
        events = []
    elif len(events) > MAX_EVENTS:
        row.fail("events", f"more than {MAX_EVENTS} events")
        events = []
    for index, raw_event in enumerate(events):
        event = _json_event(row, index, raw_event)
        if event is not None:
            record.events.append(event)
    record.events += done_events(row, record.events)
    return finish(row, record)


def _json_row(number: int, item: Any, now: datetime, default_client: str) -> Parsed:
    if not isinstance(item, dict):
        return Rejected(number, (RowError(number, "ticket", "must be an object"),))
    return _json_record(Row(number, item, now), default_client)


def parse_json(text: str | bytes, now: datetime, default_client: str = "") -> Iterator[Parsed]:
    """Tickets of a JSON document: a list of ticket objects, or ``{"tickets": [...]}``; row
    numbers are the 0-based index in the list."""
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise PayloadError(f"not valid JSON: {error}") from None
    return parse_items(document, now, default_client)


def parse_items(document: Any, now: datetime, default_client: str = "") -> Iterator[Parsed]:
    """Tickets of an already decoded JSON document (see ``parse_json``)."""
    if isinstance(document, dict) and set(document) == {"tickets"}:
        document = document["tickets"]
    if not isinstance(document, list):
        raise PayloadError('expected a list of tickets, or {"tickets": [...]}')
    return (_json_row(n, item, now, default_client) for n, item in enumerate(document))


def parse_jsonl(lines: Iterable[str], now: datetime, default_client: str = "") -> Iterator[Parsed]:
    """Tickets of a JSON Lines file, one object a line (streamed: for large files); row
    numbers are 1-based line numbers, blank lines skipped."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except (ValueError, RecursionError) as error:
            yield Rejected(number, (RowError(number, "row", f"not valid JSON: {error}"),))
            continue
        yield _json_row(number, item, now, default_client)
