"""Approvals: staff ask a client's contacts to approve out-of-scope work or a change on a
ticket; one contact decides, once, in the portal.

The request is an internal note on the ticket (the contacts are told by a notice, not by the
desk's reply mail); the decision is a public reply by the contact, so it is on the timeline both
sides read, and a ticket waiting on the client resumes. Both rows are in the audit log.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from steward.notify.events import Notice, NoticeKind, publish
from steward.portal.choices import ApprovalKind, Decision
from steward.portal.models import Approval
from steward.servicedesk import services as desk
from steward.servicedesk.choices import EventKind
from steward.servicedesk.models import Ticket
from steward.tenancy.models import Contact, User
from steward.tenancy.scoping import is_active_staff

MAX_QUESTION = 4000
MAX_COMMENT = 4000


class ApprovalError(ValidationError):
    """A decision that cannot be taken (already decided, wrong client)."""


def request_approval(
    ticket: Ticket,
    *,
    kind: str,
    question: str,
    by: User,
    contacts: Iterable[Contact] = (),
    at: datetime | None = None,
) -> Approval:
    """Ask the client of ``ticket`` to approve; ``contacts`` (of that client) are notified."""
    at = at or timezone.now()
    question = question.strip()
    if kind not in ApprovalKind.values:
        raise ValidationError({"kind": f"unknown kind {kind!r}; one of {ApprovalKind.values}"})
    if not question:
        raise ValidationError({"question": "say what the client is asked to approve"})
    if len(question) > MAX_QUESTION:
        raise ValidationError({"question": f"at most {MAX_QUESTION} characters"})
    if not is_active_staff(by):
        raise ValidationError({"requested_by": "only MSP staff ask for approvals"})
    asked = list(contacts)
    if any(c.client_id != ticket.client_id for c in asked):
        raise ValidationError({"contacts": "a contact belongs to another client"})
    with transaction.atomic():
        approval = Approval.objects.create(
            client_id=ticket.client_id, ticket=ticket, kind=kind, question=question,
            requested_by=by, requested_at=at,
        )  # fmt: skip
        desk.record_event(
            ticket, EventKind.NOTE, at=at, by=by,
            body=f"Asked the client to approve ({approval.get_kind_display()}): {question}",
            data={"approval": approval.pk, "action": "requested"},
        )  # fmt: skip
        _notify(approval, asked)
    return approval


def _notify(approval: Approval, contacts: list[Contact]) -> None:
    ticket = approval.ticket
    publish(
        Notice(
            kind=NoticeKind.APPROVAL_REQUESTED,
            client_id=approval.client_id,
            at=approval.requested_at,
            key=f"approval_requested:{approval.pk}",
            subject=f"Your approval is needed: {ticket.number} {ticket.subject}",
            body=approval.question,
            url=reverse("portal:approval", args=[approval.pk]),
            priority=ticket.priority,
            context={"approval_id": approval.pk, "ticket_id": ticket.pk, "kind": approval.kind},
            contact_ids=tuple(c.pk for c in contacts),
        )
    )


def decide(
    approval: Approval,
    decision: str,
    *,
    by: Contact,
    comment: str = "",
    at: datetime | None = None,
) -> Approval:
    """Record ``by``'s decision (approved or rejected). Final: a second decision is refused.

    1. Lock the row and check it is still pending (PostgreSQL row lock; SQLite's IMMEDIATE
       transactions serialise writers), so two contacts deciding at once get one winner.
    2. Save the decision (audited by the model's registration).
    3. Put it on the ticket's timeline as the contact's public reply.
    """
    at = at or timezone.now()
    comment = comment.strip()
    if decision not in (Decision.APPROVED, Decision.REJECTED):
        raise ValidationError({"decision": "choose approve or reject"})
    if len(comment) > MAX_COMMENT:
        raise ValidationError({"comment": f"at most {MAX_COMMENT} characters"})
    if by.client_id != approval.client_id:
        raise ApprovalError({"approval": "this approval belongs to another client"})
    with transaction.atomic():
        row = Approval.objects.select_for_update().select_related("ticket").get(pk=approval.pk)
        if not row.is_pending:
            when = f"{row.decided_at:%Y-%m-%d %H:%M} UTC" if row.decided_at else "already"
            raise ApprovalError(
                {"decision": f"this approval was already {row.get_decision_display().lower()} "
                             f"on {when}; a decision is final"}
            )  # fmt: skip
        row.decision, row.decided_by, row.decided_at, row.comment = decision, by, at, comment
        row.save(update_fields=["decision", "decided_by", "decided_at", "comment"])
        verdict = Decision(decision).label
        body = f"{verdict}: {row.question}" + (f"\n\nComment: {comment}" if comment else "")
        desk.reply(
            row.ticket, body, by=by.user, by_contact=by, at=at,
            data={"approval": row.pk, "decision": decision},
        )  # fmt: skip
    approval.refresh_from_db()
    return approval
