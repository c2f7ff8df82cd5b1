"""An approval the MSP asks of a client on a ticket: out-of-scope work or a change."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone as dj_tz

from steward.portal.choices import ApprovalKind, Decision
from steward.tenancy.scoping import ClientScopedQuerySet


class Approval(models.Model):
    """A question staff put to the client's contacts on a ticket; one contact decides, once.

    ``client`` repeats the ticket's client so the row scopes like every other client row.
    """

    client = models.ForeignKey("tenancy.Client", on_delete=models.CASCADE, related_name="+")
    ticket = models.ForeignKey(
        "servicedesk.Ticket", on_delete=models.CASCADE, related_name="approvals"
    )
    kind = models.CharField(max_length=20, choices=ApprovalKind.choices)
    question = models.TextField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(default=dj_tz.now)
    decision = models.CharField(
        max_length=10, choices=Decision.choices, default=Decision.PENDING, blank=True
    )
    decided_by = models.ForeignKey(
        "tenancy.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True)

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [
            models.Index(fields=["client", "decision"], name="approval_client_decision"),
        ]
        constraints = [
            # A decision always says when it was made; a pending one has no date.
            models.CheckConstraint(
                condition=Q(decision="", decided_at__isnull=True)
                | (~Q(decision="") & Q(decided_at__isnull=False)),
                name="approval_decided_has_date",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} approval on #{self.ticket_id}"

    @property
    def is_pending(self) -> bool:
        return self.decision == Decision.PENDING
