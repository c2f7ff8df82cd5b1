"""Attachments: size limit, type sniffed from the bytes, safe names, stored once by hash."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from steward.servicedesk import services
from steward.servicedesk.choices import EventKind
from steward.servicedesk.services.attachments import (
    attachment_path,
    clean_filename,
    sniff_content_type,
)
from tests.servicedesk.conftest import Desk

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_type_is_sniffed_not_taken_from_the_name(desk: Desk, settings: object) -> None:
    ticket = desk.ticket()
    attachment = services.add_attachment(ticket, "invoice.pdf", PNG, by=desk.world.bob)
    assert attachment.content_type == "image/png"
    assert services.read_attachment(attachment) == PNG
    assert attachment_path(attachment.sha256).exists()
    assert ticket.events.filter(kind=EventKind.ATTACHMENT, to_value="invoice.pdf").exists()


def test_text_and_unknown_bytes() -> None:
    assert sniff_content_type("Grüße\n".encode()) == "text/plain"
    assert sniff_content_type(b"\xff\xfe\x00\x01\x02") == "application/octet-stream"


def test_over_the_limit_is_refused_naming_the_file(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STEWARD_ATTACHMENT_MAX_BYTES", "10")
    ticket = desk.ticket()
    with pytest.raises(ValidationError) as caught:
        services.add_attachment(ticket, "big.bin", b"x" * 11)
    assert "big.bin is 11 bytes; the limit is 10 bytes" in caught.value.message_dict["file"][0]
    assert not ticket.attachments.exists()


def test_same_content_is_stored_once(desk: Desk) -> None:
    ticket = desk.ticket()
    first = services.add_attachment(ticket, "a.png", PNG)
    second = services.add_attachment(ticket, "b.png", PNG)
    assert attachment_path(first.sha256) == attachment_path(second.sha256)
    assert ticket.attachments.count() == 2


@pytest.mark.parametrize(
    ("given_name", "kept"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\x\\report.docx", "report.docx"),
        ("", "attachment"),
        ("...", "attachment"),
        ("na\x00me.txt", "na_me.txt"),
    ],
)
def test_names_lose_paths_and_control_characters(given_name: str, kept: str) -> None:
    assert clean_filename(given_name) == kept


@given(st.text())
def test_any_name_becomes_a_plain_file_name(name: str) -> None:
    cleaned = clean_filename(name)
    assert cleaned
    assert "/" not in cleaned
    assert "\\" not in cleaned
    assert len(cleaned) <= 200
    assert cleaned not in (".", "..")
    assert all(ch.isprintable() for ch in cleaned)
