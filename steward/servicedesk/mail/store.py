"""Raw messages on disk (MEDIA_ROOT/mail, by SHA-256, so backups carry them) and the one
writer of MailMessage rows."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings

from steward.servicedesk.models import MailMessage, Ticket

# Column limits of MailMessage, so a hostile header never makes an insert fail.
LIMITS = {
    "message_id": 255,
    "in_reply_to": 255,
    "from_address": 254,
    "subject": 255,
    "reason": 255,
    "raw_sha256": 64,
}


def mail_root() -> Path:
    return Path(settings.MEDIA_ROOT) / "mail"


def raw_path(sha256: str) -> Path:
    return mail_root() / sha256[:2] / sha256


def keep_raw(raw: bytes) -> str:
    """Write ``raw`` once under its hash (atomically) and return the hash."""
    digest = hashlib.sha256(raw).hexdigest()
    path = raw_path(digest)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{uuid.uuid4().hex}.part")  # one per writer
        temporary.write_bytes(raw)
        temporary.replace(path)  # readers never see half a message
    return digest


def read_raw(mail: MailMessage) -> bytes | None:
    """The stored bytes of ``mail``, or None when it has none (sent mail, or a lost file)."""
    if not mail.raw_sha256:
        return None
    try:
        return raw_path(mail.raw_sha256).read_bytes()
    except OSError:
        return None


def clean_text(value: str, limit: int | None = None) -> str:
    """Text every database accepts: no NUL (PostgreSQL refuses it), no lone surrogates (left
    by undecodable header bytes; SQLite refuses them), cut to ``limit`` characters."""
    value = value.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")
    return value[:limit] if limit is not None else value


def record_mail(
    *,
    direction: str,
    disposition: str,
    message_id: str,
    at: datetime,
    ticket: Ticket | None = None,
    client_id: int | None = None,
    **fields: Any,
) -> MailMessage:
    """Record one message received or sent; every text is cleaned and cut to its column."""
    values: dict[str, Any] = {"message_id": message_id, **fields}
    for name, value in values.items():
        if isinstance(value, str):
            values[name] = clean_text(value, LIMITS.get(name))
    return MailMessage.objects.create(
        direction=direction,
        disposition=disposition,
        ticket=ticket,
        client_id=ticket.client_id if ticket is not None else client_id,
        at=at,
        **values,
    )


def set_disposition(mail: MailMessage, disposition: str, reason: str = "") -> None:
    """Change what became of a recorded message (a failed send, a triaged message handled)."""
    mail.disposition = disposition
    mail.reason = clean_text(reason, LIMITS["reason"])
    mail.save(update_fields=["disposition", "reason"])
