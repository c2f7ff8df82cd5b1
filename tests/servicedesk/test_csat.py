"""Satisfaction surveys: sent on resolve over real SMTP, answered through the one-click link."""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import timedelta
from email.message import EmailMessage
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.core import signing
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from steward.servicedesk import services
from steward.servicedesk.choices import EventKind, Status
from steward.servicedesk.models import Survey, Ticket
from steward.servicedesk.services import csat
from steward.tenancy import services as tenancy
from tests.servicedesk.conftest import MONDAY_10, Desk
from tests.servicedesk.smtp import Sink

RESOLVED_AT = MONDAY_10 + timedelta(hours=1)
Capture = Callable[..., AbstractContextManager[Any]]


def surveys(sink: Sink) -> list[EmailMessage]:
    """The survey mails (other parts of the desk mail the requester too)."""
    return [m for m in sink.messages if "How did we do?" in str(m["Subject"])]


@pytest.fixture(autouse=True)
def base_url(settings: Any) -> None:
    settings.STEWARD_BASE_URL = "https://desk.msp.example"


def resolve(desk: Desk, capture: Capture, ticket: Ticket | None = None) -> Ticket:
    ticket = ticket or desk.ticket()
    with capture(execute=True):
        services.assign(ticket, desk.world.bob, at=MONDAY_10)
        services.change_status(ticket, Status.RESOLVED, by=desk.world.bob, at=RESOLVED_AT)
    return ticket


def bodies(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None
    assert html is not None
    return text.get_content(), html.get_content()


def link(message: EmailMessage, rating: int) -> str:
    """The path and query of the rating's link in the text body, for the test client."""
    text, _ = bodies(message)
    (url,) = re.findall(rf"https://desk\.msp\.example\S+rating={rating}\b", text)
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def token_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["token"][0]


# --- Sending ------------------------------------------------------------------------------------


def test_resolving_mails_a_one_click_survey_and_the_click_only_opens_a_form(
    desk: Desk, sink: Sink, django_capture_on_commit_callbacks: Capture
) -> None:
    with time_machine.travel(RESOLVED_AT, tick=False):
        ticket = resolve(desk, django_capture_on_commit_callbacks)
    (message,) = surveys(sink)
    assert message["To"] == "carol@acme.example"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Subject"].endswith(f"How did we do? #{ticket.pk} Printer on fire")
    text, html = bodies(message)
    assert "We resolved your ticket" in text
    assert len(re.findall(r"rating=[1-5]\b", text)) == 5
    assert len(re.findall(r'href="https://desk\.msp\.example/survey/\?token=', html)) == 5
    survey = Survey.objects.get()
    assert (survey.ticket, survey.contact, survey.technician) == (
        ticket,
        desk.world.acme_contact,
        desk.world.bob,
    )
    assert survey.sent_at == RESOLVED_AT

    public = HttpClient(enforce_csrf_checks=True)
    url = link(message, 4)
    with time_machine.travel(RESOLVED_AT + timedelta(days=1), tick=False):
        page = public.get(url)
        assert page.status_code == 200
        assert b'value="4" checked' in page.content
        survey.refresh_from_db()
        assert survey.rating is None  # a link scanner's GET answers nothing
        csrf = page.cookies["csrftoken"].value
        done = public.post(
            reverse("servicedesk:survey"),
            {
                "token": token_of(url),
                "rating": "4",
                "comment": "Quick fix",
                "csrfmiddlewaretoken": csrf,
            },
        )
    assert done.status_code == 200
    assert b"Thank you" in done.content
    survey.refresh_from_db()
    assert (survey.rating, survey.comment) == (4, "Quick fix")
    assert survey.answered_at == RESOLVED_AT + timedelta(days=1)
    events = ticket.events.filter(kind=EventKind.SURVEY).order_by("pk")
    assert [e.data["action"] for e in events] == ["sent", "answered"]
    mailed = ticket.events.filter(kind=EventKind.MAIL, to_value="carol@acme.example")
    assert any("How did we do?" in e.body for e in mailed)
    assert events[1].actor_contact == desk.world.acme_contact
    # Answered once: a second submission changes nothing.
    with time_machine.travel(RESOLVED_AT + timedelta(days=2), tick=False):
        again = public.post(
            reverse("servicedesk:survey"),
            {"token": token_of(url), "rating": "1", "csrfmiddlewaretoken": csrf},
        )
    assert b"Your rating of 4 out of 5" in again.content
    survey.refresh_from_db()
    assert survey.rating == 4


def test_reopen_and_resolve_again_sends_no_second_survey(
    desk: Desk, sink: Sink, django_capture_on_commit_callbacks: Capture
) -> None:
    ticket = resolve(desk, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(ticket, Status.IN_PROGRESS, by=desk.world.bob, reason="again")
        services.change_status(ticket, Status.RESOLVED, by=desk.world.bob)
    assert Survey.objects.count() == 1
    assert len(surveys(sink)) == 1


def test_no_survey_without_a_requester_to_ask(
    desk: Desk, sink: Sink, django_capture_on_commit_callbacks: Capture
) -> None:
    resolve(desk, django_capture_on_commit_callbacks, desk.ticket(requester=None))
    assert not Survey.objects.exists()
    assert surveys(sink) == []


# --- Bad links ----------------------------------------------------------------------------------


def test_a_tampered_token_is_a_clear_400_and_records_nothing(
    desk: Desk, sink: Sink, django_capture_on_commit_callbacks: Capture
) -> None:
    resolve(desk, django_capture_on_commit_callbacks)
    token = token_of(link(surveys(sink)[0], 5))
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    public = HttpClient()
    url = reverse("servicedesk:survey")
    for response in (
        public.get(url, {"token": tampered, "rating": "5"}),
        public.post(url, {"token": tampered, "rating": "5"}),
        public.get(url),
        # Signed by Steward, but for another purpose (no survey salt).
        public.get(url, {"token": signing.dumps({"s": Survey.objects.get().pk})}),
    ):
        assert response.status_code == 400
        assert b"damaged or was altered" in response.content
    assert Survey.objects.get().rating is None


def test_the_link_expires_after_thirty_days_to_the_second(
    desk: Desk, sink: Sink, django_capture_on_commit_callbacks: Capture
) -> None:
    with time_machine.travel(RESOLVED_AT, tick=False):
        resolve(desk, django_capture_on_commit_callbacks)
    url = link(surveys(sink)[0], 2)
    public = HttpClient()
    with time_machine.travel(RESOLVED_AT + timedelta(days=30), tick=False):
        assert public.get(url).status_code == 200
    with time_machine.travel(RESOLVED_AT + timedelta(days=30, seconds=1), tick=False):
        late = public.get(url)
        assert late.status_code == 400
        assert b"expired" in late.content
        assert public.post(url, {"token": token_of(url), "rating": 2}).status_code == 400
    assert Survey.objects.get().rating is None


def test_a_token_answers_its_own_survey_only(
    desk: Desk, sink: Sink, django_capture_on_commit_callbacks: Capture
) -> None:
    acme_ticket = resolve(desk, django_capture_on_commit_callbacks)
    globex_ticket = desk.ticket(client=desk.world.globex, requester=desk.world.globex_contact)
    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(globex_ticket, Status.RESOLVED)
    dave_mail = next(m for m in surveys(sink) if m["To"] == "dave@globex.example")
    dave = desk.world.http(desk.world.dave)
    acme_survey = Survey.objects.get(ticket=acme_ticket)
    # Dave's own token, whatever else the form says, answers Dave's survey only.
    dave.post(
        reverse("servicedesk:survey"),
        {"token": token_of(link(dave_mail, 1)), "rating": "1", "survey": acme_survey.pk},
    )
    acme_survey.refresh_from_db()
    assert acme_survey.rating is None
    assert Survey.objects.get(ticket=globex_ticket).rating == 1
    # A survey re-addressed since the mail went out refuses the old link.
    other = tenancy.create_contact(desk.world.acme, first_name="Otto", email="otto@acme.example")
    Survey.objects.filter(pk=acme_survey.pk).update(contact=other)
    carol_link = link(next(m for m in surveys(sink) if m["To"] == "carol@acme.example"), 5)
    refused = HttpClient().get(carol_link)
    assert refused.status_code == 400
    assert b"not for this survey" in refused.content


def test_an_out_of_range_rating_is_refused_with_the_reason(
    desk: Desk, sink: Sink, django_capture_on_commit_callbacks: Capture
) -> None:
    resolve(desk, django_capture_on_commit_callbacks)
    token = token_of(link(surveys(sink)[0], 3))
    response = HttpClient().post(reverse("servicedesk:survey"), {"token": token, "rating": "9"})
    assert response.status_code == 422
    assert b"choose a rating from 1 to 5" in response.content
    assert Survey.objects.get().rating is None


# --- Results ------------------------------------------------------------------------------------


def answered(desk: Desk, ratings: list[int | None]) -> None:
    for rating in ratings:
        ticket = desk.ticket()
        services.assign(ticket, desk.world.bob)
        services.change_status(ticket, Status.RESOLVED)
        if rating is not None:
            csat.answer_survey(Survey.objects.get(ticket=ticket), rating)


def test_summary_average_response_rate_and_counts(desk: Desk) -> None:
    answered(desk, [5, 5, 4, 1, None])
    summary = csat.csat_summary(Survey.objects.all())
    assert (summary.sent, summary.answered, summary.average) == (5, 4, 3.75)
    assert summary.response_rate == 0.8
    assert summary.counts == {1: 1, 2: 0, 3: 0, 4: 1, 5: 2}
    empty = csat.csat_summary(Survey.objects.none())
    assert (empty.average, empty.response_rate, empty.sent) == (None, None, 0)
    ((tech, by_bob),) = csat.csat_by(Survey.objects.all(), "technician")
    assert (tech, by_bob.answered) == (desk.world.bob.pk, 4)


def test_survey_api_and_tenant_isolation(desk: Desk) -> None:
    answered(desk, [4])
    ticket = Ticket.objects.get()
    alice = desk.world.bearer(desk.world.alice)
    body = alice.get(f"/api/v1/tickets/{ticket.pk}/survey").json()
    assert (body["rating"], body["technician_id"]) == (4, desk.world.bob.pk)
    listed = alice.get(f"/api/v1/surveys?client_id={desk.world.acme.pk}&since=2026-03-01T00:00Z")
    assert listed.json()["count"] == 1
    dave = desk.world.bearer(desk.world.dave)
    assert dave.get(f"/api/v1/tickets/{ticket.pk}/survey").status_code == 404
    assert dave.get("/api/v1/surveys").json()["items"] == []
    assert desk.world.bearer(desk.world.eve).get("/api/v1/surveys").json()["items"] == []
    unresolved = desk.ticket()
    assert alice.get(f"/api/v1/tickets/{unresolved.pk}/survey").json() is None


def test_csat_page_shows_the_distribution_to_staff_only(desk: Desk) -> None:
    answered(desk, [5, 3])
    page = desk.world.http(desk.world.alice).get(reverse("servicedesk:csat"))
    assert page.status_code == 200
    assert page.context["summary"].average == 4.0
    assert b"<svg" in page.content
    assert b"bob" in page.content
    assert b"Acme Corporation" in page.content
    assert desk.world.http(desk.world.carol).get(reverse("servicedesk:csat")).status_code == 403
    eve_page = desk.world.http(desk.world.eve).get(reverse("servicedesk:csat"))
    assert eve_page.context["summary"].sent == 0
    assert b"Acme" not in eve_page.content


@given(st.text(max_size=200))
def test_any_token_text_is_a_clear_link_error(text: str) -> None:
    with pytest.raises(csat.SurveyLinkError):
        csat.survey_from_token(text)


@given(st.one_of(st.text(max_size=20), st.integers(), st.none()))
def test_any_rating_is_one_to_five_or_an_error_naming_rating(value: object) -> None:
    try:
        outcome: object = csat.parse_rating(value)
    except ValidationError as exc:
        outcome = set(exc.message_dict)
    assert outcome in ({"rating"}, *csat.RATINGS)
