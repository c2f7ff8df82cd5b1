"""Channels, policies, message templates, published notices and their delivery log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone as dj_tz

from steward.core.crypto import EncryptedTextField
from steward.notify.choices import ContactRecipient, DeliveryStatus
from steward.notify.events import NoticeKind
from steward.tenancy.scoping import ClientScopedQuerySet


class MspWideQuerySet(ClientScopedQuerySet):
    """Rows of one client, or of the whole MSP (client null): staff see the MSP's."""

    msp_wide = Q(client__isnull=True)


class Channel(models.Model):
    """Where a notice can go besides people's mail: one apprise URL (Slack, Teams, a webhook,
    a mail box…). The URL carries secrets, so it is encrypted at rest and never shown again
    after saving; ``scheme`` is what the UI and the API show instead."""

    client = models.ForeignKey(
        "tenancy.Client", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(max_length=100)
    url = EncryptedTextField()
    scheme = models.CharField(max_length=40, editable=False)
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=dj_tz.now, editable=False)

    objects = MspWideQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "name"], name="notify_channel_name_unique_per_client"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.scheme}://)"


class Policy(models.Model):
    """Which notice kinds reach whom. MSP-wide (client null) policies apply to every client;
    a client's own policies add to them, or replace them for their kinds
    (``replaces_msp_policies``). Quiet hours are wall-clock times in the client's zone."""

    client = models.ForeignKey(
        "tenancy.Client", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(max_length=100)
    kinds = models.JSONField(default=list, help_text="Notice kinds this policy routes")
    enabled = models.BooleanField(default=True)
    staff = models.JSONField(default=list, blank=True, help_text="StaffRecipient values")
    contacts = models.CharField(
        max_length=20, choices=ContactRecipient.choices, default=ContactRecipient.NONE
    )
    named_contacts = models.ManyToManyField("tenancy.Contact", blank=True, related_name="+")
    users = models.ManyToManyField("tenancy.User", blank=True, related_name="+")
    channels = models.ManyToManyField(Channel, blank=True, related_name="policies")
    quiet_start = models.TimeField(null=True, blank=True)
    quiet_end = models.TimeField(null=True, blank=True)
    replaces_msp_policies = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=dj_tz.now, editable=False)

    objects = MspWideQuerySet.as_manager()

    class Meta:
        ordering = ["client_id", "name", "pk"]
        verbose_name_plural = "policies"

    def __str__(self) -> str:
        return self.name

    @property
    def has_quiet_hours(self) -> bool:
        return (
            self.quiet_start is not None
            and self.quiet_end is not None
            and self.quiet_start != self.quiet_end
        )


class MessageTemplate(models.Model):
    """The MSP's wording for one notice kind, over the default files
    (``templates/notify/messages/<kind>/``). Blank parts fall back to the file."""

    kind = models.CharField(max_length=40, choices=NoticeKind.choices, unique=True)
    subject = models.CharField(max_length=300, blank=True)
    text = models.TextField(blank=True)
    html = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"template {self.kind}"


class Notification(models.Model):
    """One published notice, rendered once: the delivery log shows what left. ``key`` makes
    publishing idempotent."""

    key = models.CharField(max_length=300, unique=True)
    kind = models.CharField(max_length=40, choices=NoticeKind.choices)
    client = models.ForeignKey(
        "tenancy.Client", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    at = models.DateTimeField(help_text="When it happened (for P1: when it was detected)")
    priority = models.CharField(max_length=4, blank=True)
    url = models.CharField(max_length=500, blank=True)
    subject = models.CharField(max_length=300)
    text = models.TextField()
    html = models.TextField(blank=True)
    context = models.JSONField(default=dict, blank=True)
    problem = models.TextField(blank=True, help_text="Why routing or rendering fell short")
    created_at = models.DateTimeField(default=dj_tz.now, editable=False)

    objects = MspWideQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["client", "kind", "at"], name="notify_notif_client_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject}"


class NoticeAttachment(models.Model):
    """A file carried by a notice (a report's PDF), kept until its mails are sent."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="attachments"
    )
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    content = models.BinaryField()

    def __str__(self) -> str:
        return self.filename


class Delivery(models.Model):
    """One notice to one address or channel, with every attempt's outcome.

    ``next_attempt_at`` is the row's clock: set while the row is pending, held or retrying,
    cleared when it is sent or has failed for good. The minute job claims due rows by
    compare-and-set on it."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    client = models.ForeignKey(
        "tenancy.Client", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=40, choices=NoticeKind.choices)
    target = models.CharField(max_length=300, help_text="mail:<address> or channel:<id>")
    label = models.CharField(max_length=300)
    address = models.EmailField(blank=True)
    channel = models.ForeignKey(
        Channel, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    contact = models.ForeignKey(
        "tenancy.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    to_client = models.BooleanField(default=False, help_text="Reaches the client's people")
    policy = models.ForeignKey(
        Policy, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    log = models.JSONField(default=list, blank=True, help_text="Every attempt: at, ok, error")
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=dj_tz.now, editable=False)

    objects = MspWideQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "target"], name="notify_delivery_once_per_target"
            )
        ]
        indexes = [
            # The minute job's read: open rows by due time (a partial index on open rows).
            models.Index(
                fields=["next_attempt_at"],
                name="notify_delivery_due",
                condition=Q(next_attempt_at__isnull=False),
            ),
            models.Index(fields=["client", "created_at"], name="notify_delivery_client"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.label}: {self.status}"
