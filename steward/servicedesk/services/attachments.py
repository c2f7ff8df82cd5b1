"""Attachments: size-limited, content type sniffed from the bytes (never trusted from the
sender), stored once per content hash under MEDIA_ROOT/attachments (STEWARD_HOME/media), so
backups carry them."""

from __future__ import annotations

import hashlib
import os
import re
import uuid
from datetime import datetime
from pathlib import Path

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from steward.core.env import envint
from steward.servicedesk.choices import EventKind
from steward.servicedesk.models import Attachment, Ticket, TicketEvent
from steward.servicedesk.services.tickets import record_event
from steward.tenancy.models import User

DEFAULT_MAX_BYTES = 25 * 1024 * 1024
_UNSAFE = re.compile(r"[^\w.\- ]+")


def max_attachment_bytes() -> int:
    return envint("STEWARD_ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES)


def attachment_root() -> Path:
    return Path(settings.MEDIA_ROOT) / "attachments"


def attachment_path(sha256: str) -> Path:
    return attachment_root() / sha256[:2] / sha256


def sniff_content_type(data: bytes) -> str:
    """The type the bytes are, by their magic numbers; plain text when they decode as UTF-8."""
    kind = filetype.guess(data[:8192])
    if kind is not None:
        return str(kind.mime)
    try:
        data[:65536].decode("utf-8")
    except UnicodeDecodeError:
        return "application/octet-stream"
    return "text/plain"


def clean_filename(name: str) -> str:
    """A file name safe to show and to send back: no path, no control characters."""
    base = os.path.basename(name.replace("\\", "/")).strip()
    base = _UNSAFE.sub("_", base).strip("._ ")
    return base[:200] or "attachment"


def add_attachment(
    ticket: Ticket,
    filename: str,
    data: bytes,
    *,
    by: User | None = None,
    event: TicketEvent | None = None,
    at: datetime | None = None,
) -> Attachment:
    """Store ``data`` and attach it to ``ticket`` (and to the reply it came with)."""
    limit = max_attachment_bytes()
    if len(data) > limit:
        raise ValidationError(
            {"file": f"{filename} is {len(data):,} bytes; the limit is {limit:,} bytes"}
        )
    if not data:
        raise ValidationError({"file": f"{filename} is empty"})
    digest = hashlib.sha256(data).hexdigest()
    path = attachment_path(digest)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{uuid.uuid4().hex}.part")  # one per writer
        temporary.write_bytes(data)
        temporary.replace(path)  # atomic: readers never see half a file
    name = clean_filename(filename)
    with transaction.atomic():
        attachment = Attachment.objects.create(
            client_id=ticket.client_id,
            ticket=ticket,
            event=event,
            filename=name,
            content_type=sniff_content_type(data),
            size=len(data),
            sha256=digest,
            uploaded_by=by,
            created_at=at or timezone.now(),
        )
        if event is None:
            record_event(
                ticket,
                EventKind.ATTACHMENT,
                at=at or timezone.now(),
                by=by,
                to_value=name,
                data={"attachment": attachment.pk, "size": len(data)},
            )
    return attachment


def read_attachment(attachment: Attachment) -> bytes:
    return attachment_path(attachment.sha256).read_bytes()
