"""Reading a raw message without ever raising: headers decoded by hand from the raw values
(the ``email`` package's header objects raise on some malformed input), bodies decoded with
a fallback charset, attachments collected as bytes. What could not be read is reported in
``problems`` instead."""

from __future__ import annotations

import email
import hashlib
import re
from dataclasses import dataclass, field
from email import policy
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses, parseaddr

import nh3

from steward.servicedesk.mail.store import clean_text
from steward.servicedesk.mail.text import html_to_text

# Defects that mean the text or the parts cannot be trusted (a person should look); others, such
# as a missing closing boundary, are common in real mail and harmless.
SERIOUS_DEFECTS = frozenset(
    {
        "StartBoundaryNotFoundDefect",
        "NoBoundaryInMultipartDefect",
        "MultipartInvariantViolationDefect",
        "MissingHeaderBodySeparatorDefect",
        "InvalidBase64LengthDefect",
        "InvalidMultipartContentTransferEncodingDefect",
    }
)
MSGID = re.compile(r"<[^<>\s]{1,1000}>")
MAX_REFERENCES = 50


@dataclass
class Attached:
    filename: str
    data: bytes


@dataclass
class ParsedMail:
    """What the inbound rules need from one message."""

    sha256: str
    size: int
    message_id: str
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    from_address: str = ""
    from_name: str = ""
    to_addresses: list[str] = field(default_factory=list)
    subject: str = ""
    text: str = ""
    html: str = ""  # sanitised with nh3
    attachments: list[Attached] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)  # lower-case name -> first value
    problems: list[str] = field(default_factory=list)  # what could not be read at all
    defects: list[str] = field(default_factory=list)


def normalise_id(value: str) -> str:
    """One Message-ID as stored: ``<local@domain>``; a very long one by its hash, so it still
    fits the column and still matches itself."""
    value = value.strip()
    if not (value.startswith("<") and value.endswith(">")):
        value = f"<{value.strip('<>')}>"
    if len(value) > 250:
        value = f"<{hashlib.sha256(value.encode('utf-8', 'replace')).hexdigest()}@long.id>"
    return value


def message_ids(value: str) -> list[str]:
    found = MSGID.findall(clean_text(value))
    return [normalise_id(one) for one in found][-MAX_REFERENCES:]


def decode(value: str) -> str:
    """An RFC 2047 header value as text (the raw value when it cannot be decoded), cleaned so
    a database accepts it as a value or a query parameter."""
    try:
        decoded = str(make_header(decode_header(value)))
    except Exception:  # any malformed encoded word: show what was sent
        decoded = value
    return clean_text(decoded)


def _raw_headers(message: Message) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, value in message.raw_items():
        unfolded = re.sub(r"\r?\n[ \t]*", " ", clean_text(str(value))).strip()
        headers.setdefault(clean_text(str(name)).lower(), unfolded)
    return headers


def _address(value: str) -> tuple[str, str]:
    name, address = parseaddr(decode(value))
    return decode(name), address.strip().lower()


def _addresses(*values: str) -> list[str]:
    found = getaddresses([decode(v) for v in values if v])
    return [a.strip().lower() for _, a in found if "@" in a]


def _part_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return clean_text(payload.decode(charset, "replace"))
    except (LookupError, ValueError):  # a charset Python does not know: UTF-8 is the best guess
        return clean_text(payload.decode("utf-8", "replace"))


def _filename(part: Message) -> str | None:
    try:
        name = part.get_filename()
    except Exception:
        return "attachment"
    return decode(name) if name else None


def _walk(message: Message, parsed: ParsedMail) -> None:
    texts: list[str] = []
    htmls: list[str] = []
    for part in message.walk():
        if part.is_multipart():
            continue
        filename = _filename(part)
        disposition = str(part.get("Content-Disposition", "")).lower()
        kind = part.get_content_type()
        if filename or disposition.startswith("attachment"):
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes) and payload:
                parsed.attachments.append(Attached(filename or "attachment", payload))
        elif kind == "text/plain":
            texts.append(_part_text(part))
        elif kind == "text/html":
            htmls.append(_part_text(part))
    if htmls:
        parsed.html = nh3.clean("\n".join(htmls))
    # Text preferred; HTML (already sanitised) turned into text when there is no text part.
    parsed.text = "\n".join(t for t in texts if t.strip()) or html_to_text(parsed.html)


def parse(raw: bytes, sha256: str) -> ParsedMail:
    """Read ``raw``; never raises (what failed is in ``problems``)."""
    parsed = ParsedMail(sha256=sha256, size=len(raw), message_id=f"<{sha256}@no-message-id>")
    try:
        message = email.message_from_bytes(raw, policy=policy.compat32)
    except Exception as exc:  # the parser is lenient; this is for what it still cannot take
        parsed.problems.append(f"unreadable message: {type(exc).__name__}")
        return parsed
    try:
        _headers(message, parsed)
    except Exception as exc:
        parsed.problems.append(f"unreadable headers: {type(exc).__name__}: {exc}")
    try:
        _walk(message, parsed)
    except Exception as exc:
        parsed.problems.append(f"unreadable body: {type(exc).__name__}: {exc}")
    _defects(message, parsed)
    return parsed


def _defects(message: Message, parsed: ParsedMail) -> None:
    """Collect the parser's defects (decoding the parts above adds theirs); the serious ones
    become problems, which send the message to triage."""
    for part in message.walk():
        for defect in part.defects:
            name = type(defect).__name__
            parsed.defects.append(name)
            if name in SERIOUS_DEFECTS:
                problem = f"malformed MIME: {name} in {part.get_content_type()}"
                if problem not in parsed.problems:
                    parsed.problems.append(problem)


def _headers(message: Message, parsed: ParsedMail) -> None:
    headers = _raw_headers(message)
    parsed.headers = headers
    found = message_ids(headers.get("message-id", ""))
    if found:
        parsed.message_id = found[0]
    parsed.in_reply_to = message_ids(headers.get("in-reply-to", ""))
    parsed.references = message_ids(headers.get("references", ""))
    parsed.from_name, parsed.from_address = _address(headers.get("from", ""))
    parsed.to_addresses = _addresses(headers.get("to", ""), headers.get("cc", ""))
    parsed.subject = " ".join(decode(headers.get("subject", "")).split())
