"""Polling an IMAP mailbox (``steward mail-poll``): each unseen message goes through
``inbound.receive``, and only after it is stored is it flagged seen (or moved). A crash in
between leaves it unseen, so it is read again next time, and ``receive`` recognises it by its
Message-ID instead of storing it twice."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.utils import getaddresses, parseaddr

from imap_tools import AND, MailBox, MailBoxStartTls, MailBoxUnencrypted, MailMessageFlags
from imap_tools.mailbox import BaseMailBox

from steward.servicedesk.mail.inbound import MailResult, receive
from steward.servicedesk.mail.parse import decode

log = logging.getLogger(__name__)
HEADER_LIMIT = 64 * 1024


@dataclass(frozen=True)
class ImapAccount:
    host: str
    port: int
    user: str
    password: str
    folder: str = "INBOX"
    security: str = "ssl"  # "ssl", "starttls" or "plain"
    move_to: str = ""  # a folder to move stored messages to; flagged seen when empty


def connect(account: ImapAccount) -> BaseMailBox:
    if account.security == "ssl":
        box: BaseMailBox = MailBox(account.host, account.port)
    elif account.security == "starttls":
        box = MailBoxStartTls(account.host, account.port)
    else:
        box = MailBoxUnencrypted(account.host, account.port)
    return box.login(account.user, account.password, initial_folder=account.folder)


def envelope_of(raw: bytes) -> tuple[str | None, list[str]]:
    """The envelope the delivering server wrote down: Return-Path (``<>`` for a bounce) and
    Delivered-To / X-Original-To, else To and Cc."""
    head = raw[:HEADER_LIMIT].split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    values: dict[str, list[str]] = {}
    for line in head.decode("utf-8", "replace").replace("\r\n", "\n").split("\n"):
        name, colon, value = line.partition(":")
        if colon and not line[:1].isspace():
            values.setdefault(name.strip().lower(), []).append(value.strip())
    envelope_from: str | None = None
    if "return-path" in values:
        envelope_from = parseaddr(values["return-path"][0])[1]
    delivered = values.get("delivered-to", []) + values.get("x-original-to", [])
    fields = delivered or values.get("to", []) + values.get("cc", [])
    recipients = [a.lower() for _, a in getaddresses([decode(v) for v in fields]) if "@" in a]
    return envelope_from, recipients


def fetch_raw(box: BaseMailBox, uid: str) -> bytes | None:
    """The message's exact bytes, without setting \\Seen (BODY.PEEK)."""
    status, data = box.client.uid("FETCH", uid, "(BODY.PEEK[])")
    if status != "OK":
        return None
    for item in data:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
            return item[1]
    return None


def poll_once(account: ImapAccount, now: Callable[[], datetime]) -> list[MailResult]:
    """Store every unseen message of the folder; return what became of each."""
    results = []
    with connect(account) as box:
        for uid in box.uids(AND(seen=False)):
            raw = fetch_raw(box, uid)
            if raw is None:
                log.warning("IMAP message %s could not be fetched; left unseen", uid)
                continue
            envelope_from, recipients = envelope_of(raw)
            results.append(
                receive(raw, envelope_from=envelope_from, recipients=recipients, now=now())
            )
            # Only now, with the message stored: a crash before this line re-reads it later.
            if account.move_to:
                box.move(uid, account.move_to)
            else:
                box.flag(uid, MailMessageFlags.SEEN, True)
    return results
