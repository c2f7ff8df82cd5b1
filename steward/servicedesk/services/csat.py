"""Satisfaction surveys: one per resolved ticket, answered from a one-click mail.

The mail carries five links (ratings 1 to 5), each with a signed token naming the survey and
its contact (``django.core.signing``, own salt, valid 30 days). The link opens a form with
the clicked rating chosen; only its POST records the answer, so a mail scanner that follows
links answers nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from steward.servicedesk.choices import EventKind
from steward.servicedesk.mail.outbound import send_ticket_mail
from steward.servicedesk.models import Survey, Ticket
from steward.servicedesk.services.tickets import record_event

SALT = "steward.servicedesk.survey"
MAX_AGE = timedelta(days=30)
RATINGS = (1, 2, 3, 4, 5)
MAX_COMMENT = 4000


class SurveyLinkError(ValueError):
    """A survey link that cannot be used: damaged, expired, or no longer matching its survey."""


# --- Sending ------------------------------------------------------------------------------------


def create_survey(ticket: Ticket, *, now: datetime | None = None) -> Survey | None:
    """The survey for a just-resolved ticket, addressed to its requester; None when the ticket
    already had one (a reopened ticket is surveyed once) or nobody can receive it."""
    now = now or timezone.now()
    contact = ticket.requester
    if contact is None or not contact.email or Survey.objects.filter(ticket=ticket).exists():
        return None
    try:
        with transaction.atomic():
            survey = Survey.objects.create(
                client_id=ticket.client_id,
                ticket=ticket,
                contact=contact,
                technician=ticket.assignee,
                sent_at=now,
            )
            record_event(
                ticket,
                EventKind.SURVEY,
                at=now,
                to_value="sent",
                data={"action": "sent", "to": contact.email},
                now=now,
            )
    except IntegrityError:  # resolved twice at once: the other one made it
        return None
    return survey


def survey_token(survey: Survey) -> str:
    """A signed token bound to this survey and its contact; its age is checked on use."""
    return signing.dumps({"s": survey.pk, "c": survey.contact_id}, salt=SALT)


def survey_links(survey: Survey) -> dict[int, str]:
    """The absolute one-click link for each rating."""
    base = settings.STEWARD_BASE_URL
    token = survey_token(survey)
    path = reverse("servicedesk:survey")
    return {n: f"{base}{path}?{urlencode({'token': token, 'rating': n})}" for n in RATINGS}


def survey_message(survey: Survey) -> dict[str, str]:
    """Subject, text and HTML of the survey mail."""
    ticket = survey.ticket
    links = survey_links(survey)
    msp = settings.STEWARD_MSP_NAME
    subject = f"How did we do? {ticket.number} {ticket.subject}"
    name = survey.contact.first_name if survey.contact else ""
    lines = [
        f"Hello {name}," if name else "Hello,",
        "",
        f"We resolved your ticket {ticket.number} “{ticket.subject}”.",
        "How satisfied are you with our help? Choose one (1 = very unhappy, 5 = very happy):",
        "",
        *(f"  {n}: {links[n]}" for n in RATINGS),
        "",
        "Each link opens a short form where you can add a comment. Links are valid 30 days.",
        "",
        msp,
    ]
    html = render_to_string(
        "servicedesk/survey_email.html",
        {"survey": survey, "ticket": ticket, "links": sorted(links.items()), "msp_name": msp},
    )
    return {"subject": subject, "text": "\n".join(lines), "html": html}


def send_survey_mail(survey: Survey, *, now: datetime | None = None) -> None:
    """Send the survey to its contact through the desk's one mail choke point (called after
    the resolving transaction commits; a failed send is logged there, never raised)."""
    if survey.contact is None or not survey.contact.email:
        return
    message = survey_message(survey)
    send_ticket_mail(
        survey.ticket,
        to=[survey.contact.email],
        subject=message["subject"],
        text=message["text"],
        html=message["html"],
        now=now or timezone.now(),
        # Autoresponders must not answer the survey mail (RFC 3834).
        headers={"Auto-Submitted": "auto-generated"},
    )


# --- Answering ----------------------------------------------------------------------------------


def survey_from_token(token: str) -> Survey:
    """The survey a link's token names, or SurveyLinkError saying why it cannot be used."""
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.SignatureExpired:
        raise SurveyLinkError("this survey link has expired (links are valid 30 days)") from None
    except signing.BadSignature:
        raise SurveyLinkError("this survey link is damaged or was altered") from None
    if not isinstance(data, dict) or not isinstance(data.get("s"), int):
        raise SurveyLinkError("this survey link is damaged or was altered")
    survey = Survey.objects.select_related("ticket", "contact").filter(pk=data["s"]).first()
    if survey is None:
        raise SurveyLinkError("this survey no longer exists")
    # Bound to the contact too: a survey re-addressed since the mail was sent refuses it.
    if survey.contact_id != data.get("c"):
        raise SurveyLinkError("this survey link is not for this survey's contact")
    return survey


def parse_rating(value: Any) -> int:
    try:
        rating = int(str(value).strip())
    except ValueError:
        raise ValidationError({"rating": "choose a rating from 1 to 5"}) from None
    if rating not in RATINGS:
        raise ValidationError({"rating": "choose a rating from 1 to 5"})
    return rating


def answer_survey(
    survey: Survey, rating: Any, comment: str = "", *, now: datetime | None = None
) -> Survey:
    """Record the contact's rating (1 to 5) and comment; a survey is answered once."""
    now = now or timezone.now()
    value = parse_rating(rating)
    comment = comment.strip()
    if len(comment) > MAX_COMMENT:
        raise ValidationError({"comment": f"at most {MAX_COMMENT} characters"})
    with transaction.atomic():
        # Locked so two submissions at once record one answer (PostgreSQL; SQLite serialises).
        row = Survey.objects.select_for_update().select_related("ticket").get(pk=survey.pk)
        if row.answered_at is not None:
            raise ValidationError({"rating": "this survey was already answered, thank you"})
        row.rating, row.comment, row.answered_at = value, comment, now
        row.full_clean()
        row.save(update_fields=["rating", "comment", "answered_at"])
        record_event(
            row.ticket,
            EventKind.SURVEY,
            at=now,
            by_contact=row.contact,
            to_value=str(value),
            body=comment,
            data={"action": "answered", "rating": value},
            now=now,
        )
    return row


# --- Results ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CsatSummary:
    """Surveys sent and answered, the average rating and how many gave each rating."""

    sent: int
    answered: int
    average: float | None
    counts: dict[int, int] = field(default_factory=dict)

    @property
    def response_rate(self) -> float | None:
        return self.answered / self.sent if self.sent else None

    @property
    def shares(self) -> dict[int, float]:
        """Each rating's share of the answers (0 to 1), for the distribution chart."""
        return {
            n: (self.counts.get(n, 0) / self.answered if self.answered else 0.0) for n in RATINGS
        }

    @property
    def bars(self) -> list[tuple[int, int, float]]:
        """(rating, count, share) from 5 down to 1, for the distribution chart."""
        shares = self.shares
        return [(n, self.counts.get(n, 0), shares[n]) for n in reversed(RATINGS)]


def _aggregates() -> dict[str, Any]:
    per_rating = {f"r{n}": Count("pk", filter=Q(rating=n)) for n in RATINGS}
    return {"sent": Count("pk"), "answered": Count("rating"), "average": Avg("rating")} | per_rating


def _summary(row: dict[str, Any]) -> CsatSummary:
    average = row["average"]
    return CsatSummary(
        sent=row["sent"],
        answered=row["answered"],
        average=round(float(average), 2) if average is not None else None,
        counts={n: row[f"r{n}"] for n in RATINGS},
    )


def csat_summary(queryset: QuerySet[Survey]) -> CsatSummary:
    """Average, response rate and count per rating of ``queryset``, in one query."""
    return _summary(queryset.order_by().aggregate(**_aggregates()))


def csat_by(queryset: QuerySet[Survey], group: str) -> list[tuple[Any, CsatSummary]]:
    """One summary per value of ``group`` (``technician`` or ``client``), in one query."""
    rows = queryset.order_by().values(group).annotate(**_aggregates()).order_by(group)
    return [(row[group], _summary(row)) for row in rows]
