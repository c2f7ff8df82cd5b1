"""Sign-in links: the token's parser, its 15-minute life at the exact boundary, single use,
the rate limit, and the same answer for addresses with and without an account."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client as HttpClient
from hypothesis import given
from hypothesis import strategies as st

from steward.portal.services import signin_links
from steward.portal.services.signin_links import (
    LinkError,
    link_expired,
    make_link_token,
    parse_link_token,
    user_from_link_token,
)
from tests.conftest import World
from tests.servicedesk.smtp import Sink

T0 = datetime(2026, 3, 29, 0, 59, 30, tzinfo=UTC)  # the night Europe's clocks move


# --- Pure parts ---------------------------------------------------------------------------------


def test_a_link_is_valid_from_its_issue_until_just_before_fifteen_minutes() -> None:
    issued = int(T0.timestamp())
    assert not link_expired(issued, T0)
    assert not link_expired(issued, T0 + timedelta(minutes=15) - timedelta(microseconds=1))
    assert link_expired(issued, T0 + timedelta(minutes=15))
    assert link_expired(issued, T0 + timedelta(days=400))
    assert link_expired(issued, T0 - timedelta(seconds=1)), "a link from the future"


@given(st.text(max_size=120))
def test_the_parser_refuses_any_text_with_link_error_only(text: str) -> None:
    try:
        token = parse_link_token(text)
    except LinkError:
        return
    assert token.user_id > 0
    assert len(token.signature) == 40


@given(st.integers(min_value=1, max_value=2**40), st.integers(min_value=0, max_value=2**34))
def test_the_parser_reads_back_what_was_written(user_id: int, issued: int) -> None:
    text = f"{signin_links._b36(user_id)}-{signin_links._b36(issued)}-{'a' * 40}"
    token = parse_link_token(text)
    assert (token.user_id, token.issued) == (user_id, issued)


# --- Against the database -----------------------------------------------------------------------


def test_expiry_at_the_exact_boundary_through_the_real_token(world: World) -> None:
    with time_machine.travel(T0, tick=False):
        token = make_link_token(world.carol, T0)
    at_edge = T0 + timedelta(minutes=15)
    assert user_from_link_token(token, at_edge - timedelta(microseconds=1)) == world.carol
    with pytest.raises(LinkError, match="expired"):
        user_from_link_token(token, at_edge)


def test_a_link_signs_in_once(world: World) -> None:
    http = HttpClient()
    token = make_link_token(world.carol, datetime.now(UTC))
    url = "/portal/login/link/use/"
    # Following the link (a mail scanner does) signs nobody in and uses nothing up.
    assert http.get(url, {"token": token}).status_code == 200
    assert "_auth_user_id" not in http.session
    response = http.post(url, {"token": token})
    assert response.status_code == 302
    assert response["Location"] == "/portal/"
    assert http.session["_auth_user_id"] == str(world.carol.pk)
    again = HttpClient().post(url, {"token": token})
    assert again.status_code == 400
    assert b"already used" in again.content


def test_a_tampered_link_and_a_staff_users_link_do_not_sign_in(world: World) -> None:
    token = make_link_token(world.carol, datetime.now(UTC))
    forged = token[:-1] + ("0" if token[-1] != "0" else "1")
    assert HttpClient().post("/portal/login/link/use/", {"token": forged}).status_code == 400
    staff = make_link_token(world.bob, datetime.now(UTC))
    with pytest.raises(LinkError):
        user_from_link_token(staff, datetime.now(UTC))


def test_the_mail_carries_a_working_link_and_unknown_addresses_get_the_same_answer(
    world: World, sink: Sink
) -> None:
    http = HttpClient()
    known = http.post("/portal/login/link/", {"email": "Carol@Acme.example"})
    unknown = http.post("/portal/login/link/", {"email": "nobody@acme.example"})
    assert known.status_code == unknown.status_code == 200
    assert known.content.replace(b"carol@acme.example", b"X") == unknown.content.replace(
        b"nobody@acme.example", b"X"
    )
    delivered = sink.delivered()
    assert [to for to, _ in delivered] == [["carol@acme.example"]]
    message = delivered[0][1]
    assert "sign-in link" in str(message["Subject"])
    text = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    html = message.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]
    link = next(line for line in text.splitlines() if "/portal/login/link/use/?token=" in line)
    assert link in html.replace("&amp;", "&") or link.split("token=")[1] in html
    token = link.split("token=")[1].strip()
    assert http.post("/portal/login/link/use/", {"token": token}).status_code == 302


def test_asking_too_often_is_refused_for_any_address(world: World, sink: Sink) -> None:
    http = HttpClient()
    for address in ("carol@acme.example", "ghost@acme.example"):
        answers = [
            http.post("/portal/login/link/", {"email": address}).status_code for _ in range(4)
        ]
        assert answers == [200, 200, 200, 429], address
    assert len(sink.to("carol@acme.example")) == 3
    refused = http.post("/portal/login/link/", {"email": "carol@acme.example"})
    assert int(refused["Retry-After"]) > 0
    assert b"Too many sign-in links" in refused.content


def test_a_malformed_address_names_the_field(world: World) -> None:
    response = HttpClient().post("/portal/login/link/", {"email": "not-an-address"})
    assert response.status_code == 400
    assert b"Email address: Enter a valid email address." in response.content
