"""Mail that came in or went out, kept for threading (Message-ID, References), loop
protection (rate per sender) and the triage queue of mail from unknown senders."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone as dj_tz

from steward.servicedesk.choices import MailDirection, MailDisposition
from steward.tenancy.scoping import ClientScopedQuerySet


class MailQuerySet(ClientScopedQuerySet):
    msp_wide = Q(client__isnull=True)  # triage: not yet tied to a client, staff only


class MailMessage(models.Model):
    """One message received or sent. The raw message is kept under STEWARD_HOME/mail by hash,
    so a triaged message can still become a ticket with its attachments."""

    client = models.ForeignKey(
        "tenancy.Client", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    ticket = models.ForeignKey(
        "servicedesk.Ticket",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mail_messages",
    )
    direction = models.CharField(max_length=3, choices=MailDirection.choices)
    disposition = models.CharField(max_length=12, choices=MailDisposition.choices)
    reason = models.CharField(max_length=255, blank=True)
    message_id = models.CharField(max_length=255, db_index=True)
    in_reply_to = models.CharField(max_length=255, blank=True)
    references = models.TextField(blank=True)
    from_address = models.CharField(max_length=254, db_index=True)
    to_addresses = models.TextField(blank=True)
    subject = models.CharField(max_length=255, blank=True)
    raw_sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveIntegerField(default=0)
    at = models.DateTimeField(default=dj_tz.now, db_index=True)

    objects = MailQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["from_address", "at"], name="mail_from_at")]
        constraints = [
            # mail-in and mail-poll may meet the same message: it is stored once.
            models.UniqueConstraint(
                fields=["message_id"],
                condition=Q(direction="in"),
                name="mail_inbound_message_id_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.direction} {self.message_id}"
