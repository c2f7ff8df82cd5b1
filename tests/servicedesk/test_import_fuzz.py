"""Property tests of the import parsers: any input is read without an exception (only a
payload unreadable as a whole raises ``PayloadError``), and every input row comes out either
imported, as a duplicate, or as an error: none is dropped silently."""

from __future__ import annotations

import contextlib
import csv
import io
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from steward.servicedesk.importing import PayloadError, import_tickets
from steward.servicedesk.importing.parse import (
    CSV_FIELDS,
    Rejected,
    TicketRecord,
    parse_csv,
)
from steward.servicedesk.importing.parse_json import parse_items, parse_json, parse_jsonl
from tests.servicedesk.conftest import Desk

NOW = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)
# The desk fixture is set up once for all examples; each example rolls its writes back.
FIXTURE = HealthCheck.function_scoped_fixture
TIMES = [
    "2026-03-02T10:00:00+01:00",
    "2026-03-02T12:30:00Z",
    "2026-03-02 10:00",
    "2031-01-01T00:00:00+00:00",
    "0001-01-01T00:30:00+01:00",
]
TEXT = st.text(max_size=12)
VALUES: dict[str, st.SearchStrategy[str]] = {
    "external_ref": st.sampled_from(["A", "B", "", " "]) | TEXT,
    "client": st.sampled_from(["acme", "globex", "", "nope"]) | TEXT,
    "subject": st.sampled_from(["Printer", "", "x" * 300]) | TEXT,
    "priority": st.sampled_from(["P1", "P4", "", "P9"]) | TEXT,
    "impact": st.sampled_from(["low", "high", ""]),
    "urgency": st.sampled_from(["low", "medium", ""]),
    "kind": st.sampled_from(["incident", "", "rumour"]),
    "category": st.sampled_from(["printing", "", "nope"]),
    "requester_email": st.sampled_from(["carol@acme.example", "", "x@y"]),
    "created_at": st.sampled_from(TIMES) | TEXT,
    "first_response_at": st.sampled_from(["", *TIMES]),
    "resolved_at": st.sampled_from(["", *TIMES]),
    "closed_at": st.sampled_from(["", *TIMES]),
    "status_changes": st.sampled_from(["", "2026-03-02T11:00:00+01:00=assigned", "=x;y"]) | TEXT,
}
JSON_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT
JSON_ANY = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=10,
)


@st.composite
def csv_payload(draw: st.DrawFn) -> tuple[str, int]:
    """A CSV with the required columns and some others, and its number of rows."""
    others = draw(st.lists(st.sampled_from(sorted(VALUES)), unique=True))
    columns = list(dict.fromkeys(["external_ref", "created_at", *others]))
    rows = draw(st.lists(st.fixed_dictionaries({c: VALUES[c] for c in columns}), max_size=6))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue(), len(rows)


EVENT = st.fixed_dictionaries(
    {},
    optional={
        "at": st.sampled_from(TIMES) | JSON_SCALARS,
        "type": st.sampled_from(["status", "reply", "note", "plan", "call"]) | JSON_SCALARS,
        "status": st.sampled_from(["assigned", "resolved", "closed", "new"]) | JSON_SCALARS,
        "public": st.booleans() | JSON_SCALARS,
        "body": TEXT | JSON_SCALARS,
        "by": st.sampled_from(["bob", "carol@acme.example", "mallory"]) | JSON_SCALARS,
        "junk": JSON_SCALARS,
    },
)
TICKET = st.fixed_dictionaries(
    {},
    optional={name: VALUES[name] | JSON_SCALARS for name in VALUES if name in CSV_FIELDS}
    | {"events": st.lists(EVENT, max_size=4) | JSON_ANY, "colour": TEXT},
)
ROWS = st.lists(TICKET | JSON_ANY, max_size=6)


def outcomes(items: Any) -> list[TicketRecord | Rejected]:
    found = list(items)
    assert all(isinstance(item, TicketRecord | Rejected) for item in found)
    return found


@given(st.text(max_size=300))
def test_any_text_is_read_or_refused_as_a_whole(text: str) -> None:
    for parse in (parse_csv, parse_jsonl):
        try:
            outcomes(parse(io.StringIO(text, newline=""), NOW))
        except PayloadError:
            assert parse is parse_csv  # JSON Lines refuse line by line, never as a whole
    with contextlib.suppress(PayloadError):
        outcomes(parse_json(text, NOW))


@given(csv_payload())
def test_every_csv_row_is_a_record_or_rejected(payload: tuple[str, int]) -> None:
    text, count = payload
    assert len(outcomes(parse_csv(io.StringIO(text, newline=""), NOW))) == count


@given(ROWS)
def test_every_json_row_is_a_record_or_rejected(rows: list[Any]) -> None:
    found = outcomes(parse_items(rows, NOW))
    assert [item.row for item in found] == list(range(len(rows)))
    lines = "\n".join(json.dumps(row) for row in rows)
    assert len(outcomes(parse_jsonl(io.StringIO(lines), NOW))) == len(rows)
    for item in found:
        if isinstance(item, Rejected):
            assert item.errors
            assert all(error.row == item.row and error.field for error in item.errors)


@pytest.mark.django_db
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=ROWS)
def test_no_row_is_dropped_silently(desk: Desk, rows: list[Any]) -> None:
    with transaction.atomic():
        report = import_tickets(json.dumps(rows), fmt="json", user=desk.world.bob, now=NOW)
        assert report.imported + len(report.duplicates) + report.rejected_rows == len(rows)
        assert len({error.row for error in report.errors}) == report.rejected_rows
        transaction.set_rollback(True)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(payload=csv_payload())
def test_no_csv_row_is_dropped_silently(desk: Desk, payload: tuple[str, int]) -> None:
    text, count = payload
    with transaction.atomic():
        report = import_tickets(text, fmt="csv", user=desk.world.alice, now=NOW)
        assert report.imported + len(report.duplicates) + report.rejected_rows == count
        transaction.set_rollback(True)
