"""Import and export of tickets under /api/v1/ (mounted before the tickets router, so
``/tickets/import`` and ``/tickets/export`` are not read as ticket numbers).

``POST /tickets/import`` takes ``{"tickets": [...]}`` as JSON, a CSV as ``text/csv``, JSON
Lines as ``application/x-ndjson``, or a file in the ``file`` part of a multipart upload; it
answers 200 with the report (rows imported, duplicates, errors by row and field), 413 over the
size caps, 415 for another content type and 422 only when the payload cannot be read at all.
"""

from __future__ import annotations

from typing import Any, Literal

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, StreamingHttpResponse
from django.http.multipartparser import MultiPartParserError
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from steward.api.auth import Principal, require
from steward.servicedesk.exporting import client_tickets, export_tickets
from steward.servicedesk.importing import (
    PayloadError,
    PayloadTooLarge,
    format_for,
    import_tickets,
)
from steward.servicedesk.models import Ticket
from steward.tenancy.choices import TokenScope
from steward.tenancy.models import Client
from steward.tenancy.roles import CHANGE_CLIENTS, VIEW_CLIENTS
from steward.tenancy.scoping import is_active_staff

router = Router()

MAX_BYTES = 20 * 1024 * 1024  # larger files: `steward import tickets FILE`
MAX_ROWS = 20_000
CONTENT_FORMATS = {
    "application/json": "json",
    "text/csv": "csv",
    "application/x-ndjson": "jsonl",
    "application/jsonl": "jsonl",
}
BODY_DOC: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"type": "object"}},
            "text/csv": {"schema": {"type": "string"}},
            "application/x-ndjson": {"schema": {"type": "string"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            },
        },
    }
}


class RowErrorOut(Schema):
    row: int
    field: str
    reason: str


class DuplicateOut(Schema):
    row: int
    client: str
    external_ref: str


class ImportReportOut(Schema):
    imported: int
    events: int
    duplicates: int
    rejected: int
    dry_run: bool
    duplicate_rows: list[DuplicateOut]
    errors: list[RowErrorOut]


class ImportParams(Schema):
    client: str = Field("", max_length=50, description="Client code of rows that name none")
    dry_run: bool = False
    format: Literal["csv", "json", "jsonl"] | None = Field(
        None, description="Default: from the content type (or the uploaded file's name)"
    )


class ExportParams(Schema):
    client: str = Field(..., max_length=50, description="Client code")
    since: str | None = Field(None, max_length=40, description="Date or ISO 8601 time")
    until: str | None = Field(None, max_length=40, description="Date or ISO 8601 time")
    format: Literal["csv", "json"] = "csv"


def _staff(request: HttpRequest, scope: str, permission: str) -> Principal:
    who = require(request, scope=scope, permission=permission)
    if not is_active_staff(who.user):
        raise HttpError(403, "only MSP staff may import or export tickets")
    return who


def _too_large() -> HttpError:
    megabytes = MAX_BYTES // (1024 * 1024)
    return HttpError(413, f"the payload is over {megabytes} MB; split it or use the CLI")


def _payload(request: HttpRequest, fmt: str | None) -> tuple[bytes, str]:
    """The raw payload and its format, refusing what is too large before reading it all."""
    kind = (request.content_type or "").lower()
    if kind == "multipart/form-data":
        try:
            upload = request.FILES.get("file")
        except (MultiPartParserError, TooManyFilesSent, TooManyFieldsSent) as error:
            raise HttpError(422, f"not a readable multipart upload: {error}") from None
        except RequestDataTooBig:
            raise _too_large() from None
        if upload is None:
            raise HttpError(422, "file: send the tickets in a part named 'file'")
        if upload.size is None or upload.size > MAX_BYTES:
            raise _too_large()
        fmt = fmt or format_for(upload.name or "")
        if fmt is None:
            raise HttpError(422, "format: cannot tell it from the file name; give ?format=")
        return upload.read(), fmt
    fmt = fmt or CONTENT_FORMATS.get(kind)
    if fmt is None:
        raise HttpError(415, "send application/json, text/csv, application/x-ndjson or a file")
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if not (declared.isascii() and declared.isdigit()) or int(declared) > MAX_BYTES:
        raise _too_large()
    raw = request.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise _too_large()
    return raw, fmt


@router.post(
    "/tickets/import",
    response=ImportReportOut,
    openapi_extra=BODY_DOC,
    summary="Import historical tickets",
)
def import_route(request: HttpRequest, params: Query[ImportParams]) -> dict[str, Any]:
    """Historical tickets with their timestamps; each ticket's SLA outcome is computed with
    its client's policy in effect at creation. Valid rows are kept, invalid ones reported."""
    who = _staff(request, TokenScope.WRITE, CHANGE_CLIENTS)
    raw, fmt = _payload(request, params.format)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise HttpError(422, "the payload is not UTF-8 text") from None
    try:
        report = import_tickets(
            text,
            fmt=fmt,
            user=who.user,
            client=params.client,
            dry_run=params.dry_run,
            max_rows=MAX_ROWS,
        )
    except PayloadTooLarge as error:
        raise HttpError(413, str(error)) from None
    except PayloadError as error:
        raise HttpError(422, str(error)) from None
    return report.as_dict()


@router.get("/tickets/export", summary="Export tickets with their SLA outcome")
def export_route(request: HttpRequest, params: Query[ExportParams]) -> StreamingHttpResponse:
    """A client's tickets created in [since, until) with every SLA field, in the import
    format, streamed. Dates are days in the client's time zone."""
    who = _staff(request, TokenScope.READ, VIEW_CLIENTS)
    client = Client.objects.visible_to(who.user).filter(code=params.client).first()
    if client is None:
        raise HttpError(404, f"client: no client {params.client!r}")
    try:
        tickets = client_tickets(
            Ticket.objects.visible_to(who.user), client, params.since, params.until
        )
    except ValueError as error:
        raise HttpError(422, str(error)) from None
    kind = "text/csv" if params.format == "csv" else "application/json"
    response = StreamingHttpResponse(export_tickets(tickets, params.format), content_type=kind)
    name = f"tickets-{client.code}.{params.format}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
