"""Property tests of the intake: whatever bytes arrive, ``receive`` returns, and the message is
kept (raw file on disk, a MailMessage row), never lost."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from django.db.models import Q
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from steward.servicedesk.mail.inbound import receive
from steward.servicedesk.mail.store import raw_path
from steward.servicedesk.models import MailMessage
from tests.conftest import World

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

HEADER_NAMES = st.sampled_from(
    [
        "From",
        "To",
        "Cc",
        "Subject",
        "Message-ID",
        "In-Reply-To",
        "References",
        "Auto-Submitted",
        "Precedence",
        "Content-Type",
        "Content-Transfer-Encoding",
        "Content-Disposition",
        "X-Whatever",
    ]
)
CHARSETS = st.sampled_from(["utf-8", "iso-8859-1", "koi8-r", "shift_jis", "utf-16", "bogus", ""])
ENCODINGS = st.sampled_from(["7bit", "8bit", "base64", "quoted-printable", "x-uuencode", "junk"])
SENDERS = st.sampled_from(
    ["carol@acme.example", "Carol <CAROL@acme.example>", "stranger@x.example", "", "<>", "@@"]
)
SOME_BYTES = st.binary(max_size=300)
SOME_TEXT = st.text(max_size=80)


@st.composite
def encoded_word(draw: st.DrawFn) -> str:
    charset = draw(CHARSETS) or "utf-8"
    kind = draw(st.sampled_from(["q", "b", "Q", "B", "x"]))
    return f"=?{charset}?{kind}?{draw(st.text(alphabet='abc=_?+/=ZZ09', max_size=20))}?="


@st.composite
def header_value(draw: st.DrawFn) -> bytes:
    parts = draw(st.lists(st.one_of(SOME_TEXT, encoded_word(), SENDERS), max_size=3))
    value = " ".join(parts).encode("utf-8", "surrogatepass")
    return value + draw(st.sampled_from([b"", b"\xff\xfe", b"\x00", b"\r\n\tcontinued"]))


@st.composite
def part(draw: st.DrawFn, depth: int = 0) -> bytes:
    kind = draw(st.sampled_from(["text/plain", "text/html", "application/pdf", "multipart/mixed"]))
    if kind == "multipart/mixed" and depth < 2:
        boundary = draw(st.text(alphabet="abc-=_", min_size=1, max_size=12))
        children = draw(st.lists(part(depth + 1), max_size=3))
        closing = draw(st.sampled_from([f"--{boundary}--", "", "--other--"]))
        body = b"".join(f"--{boundary}\r\n".encode() + c + b"\r\n" for c in children)
        opening = f'Content-Type: multipart/mixed; boundary="{boundary}"\r\n\r\n'.encode()
        return opening + body + closing.encode()
    head = (
        f"Content-Type: {kind}; charset={draw(CHARSETS)}\r\n"
        f"Content-Transfer-Encoding: {draw(ENCODINGS)}\r\n"
    )
    if draw(st.booleans()):
        head += f'Content-Disposition: attachment; filename="{draw(SOME_TEXT)}"\r\n'
    payload = draw(st.one_of(SOME_BYTES, SOME_TEXT.map(lambda t: t.encode("utf-8", "replace"))))
    return head.encode("utf-8", "surrogatepass") + b"\r\n" + payload


@st.composite
def structured_mail(draw: st.DrawFn) -> bytes:
    lines = [b"From: " + draw(SENDERS).encode()]
    for _ in range(draw(st.integers(0, 6))):
        lines.append(draw(HEADER_NAMES).encode() + b": " + draw(header_value()))
    return b"\r\n".join(lines) + b"\r\nMIME-Version: 1.0\r\n" + draw(part())


def assert_kept(raw: bytes) -> None:
    result = receive(raw, envelope_from="x@y.example", recipients=["desk@msp.example"], now=NOW)
    digest = hashlib.sha256(raw).hexdigest()
    assert raw_path(digest).read_bytes() == raw
    stored = MailMessage.objects.filter(Q(raw_sha256=digest) | Q(pk=result.mail.pk))
    assert stored.exists()
    if not result.duplicate:
        assert result.mail.raw_sha256 == digest
    # The safety net catches bugs too; the fuzzer should never need it.
    assert not result.reason.startswith("could not process"), result.reason


@FUZZ
@given(raw=st.binary(max_size=2000))
def test_arbitrary_bytes_are_kept(world: World, raw: bytes) -> None:
    assert_kept(raw)


@FUZZ
@given(raw=structured_mail())
def test_structured_random_mime_is_kept(world: World, raw: bytes) -> None:
    assert_kept(raw)
