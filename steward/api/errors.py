"""Naming the field behind an error the database raised, so even those are a 4xx naming it.

Schemas bound what they can (``steward.api.params``), but a value the database cannot store (a
whole number beyond 64 bits, a NUL character in PostgreSQL text or JSON) may still arrive through
a field no bound covers. The API turns those into a 422 naming every such field it finds.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from django.http import HttpRequest

from steward.api.params import MAX_ID

MAX_DIGITS = 4300  # Python refuses to parse longer integers from text


def _problem(value: Any) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and not -MAX_ID - 1 <= value <= MAX_ID:
        return "number out of range"
    if isinstance(value, str):
        if "\x00" in value:
            return "text may not contain NUL characters"
        if any(0xD800 <= ord(char) <= 0xDFFF for char in value):
            return "text contains an unpaired UTF-16 surrogate (not valid Unicode)"
        digits = value.strip().removeprefix("-").removeprefix("+")
        number = digits.isascii() and digits.isdigit() and len(digits) < MAX_DIGITS
        if number and int(digits) > MAX_ID:
            return "number out of range"
    return None


def _walk(value: Any, loc: list[str]) -> Iterator[tuple[list[str], str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, [*loc, str(key)])
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, [*loc, str(index)])
    else:
        problem = _problem(value)
        if problem is not None:
            yield loc, problem


def unstorable_fields(request: HttpRequest) -> list[dict[str, Any]]:
    """One ``{"loc", "msg"}`` per query parameter or body field the database cannot store.

    SQLite reports a too-large LIMIT or OFFSET (Django writes them into the SQL as literals) as
    an IntegrityError, "datatype mismatch": the conflict handler asks here first."""
    found = [
        {"loc": ["query", name], "msg": problem}
        for name, value in request.GET.items()
        if (problem := _problem(str(value))) is not None
    ]
    try:
        body = json.loads(request.body) if request.body else None
    except (ValueError, UnicodeDecodeError):
        body = None
    return found + [{"loc": ["body", *loc], "msg": problem} for loc, problem in _walk(body, [])]
