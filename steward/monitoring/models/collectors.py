"""Collectors and agents (the senders of ingest batches) and the log of batches they sent."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from steward.monitoring.choices import CollectorKind
from steward.tenancy.scoping import ClientScopedQuerySet


class CollectorQuerySet(ClientScopedQuerySet):
    # Hosted collectors belong to no client: staff see them, client contacts never do.
    msp_wide = models.Q(client__isnull=True)


# Token prefixes (core.tokens): the kind of sender is visible in the token itself.
TOKEN_KINDS = {CollectorKind.COLLECTOR: "stc", CollectorKind.AGENT: "sta"}


class Collector(models.Model):
    """A collector (runs checks inside a client's network) or an agent (reports about the
    endpoint it runs on), with its own bearer token: hashed here, shown once at creation."""

    # None: a hosted collector (the MSP's own, e.g. the one `steward up` runs), which may run
    # checks of any client; collectors at a client's site and agents belong to that client.
    client = models.ForeignKey(
        "tenancy.Client",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="collectors",
    )
    site = models.ForeignKey("tenancy.Site", null=True, blank=True, on_delete=models.SET_NULL)
    kind = models.CharField(max_length=20, choices=CollectorKind.choices)
    name = models.CharField(max_length=200)
    lookup = models.CharField(max_length=12, unique=True, editable=False)
    digest = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    asset = models.ForeignKey(
        "monitoring.Asset",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="agents",
        help_text="Agents: the asset they run on (set by their first report)",
    )

    objects = CollectorQuerySet.as_manager()

    class Meta:
        ordering = ["client_id", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"

    @property
    def token_kind(self) -> str:
        return TOKEN_KINDS[CollectorKind(self.kind)]

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def is_hosted(self) -> bool:
        return self.client_id is None

    def clean(self) -> None:
        if self.is_hosted and self.kind == CollectorKind.AGENT:
            raise ValidationError({"client": "an agent belongs to the client of its machine"})
        if self.is_hosted and self.site is not None:
            raise ValidationError({"site": "a hosted collector is at no client's site"})
        if self.site is not None and self.site.client_id != self.client_id:
            raise ValidationError({"site": "the site belongs to another client"})
        if self.asset is not None and self.asset.client_id != self.client_id:
            raise ValidationError({"asset": "the asset belongs to another client"})


class IngestBatchQuerySet(ClientScopedQuerySet):
    client_field = "collector__client"


class IngestBatch(models.Model):
    """One accepted batch: the unique (collector, batch_id) makes a resent batch a no-op."""

    collector = models.ForeignKey(Collector, on_delete=models.CASCADE, related_name="batches")
    batch_id = models.CharField(max_length=64)
    received_at = models.DateTimeField(default=timezone.now)
    counts = models.JSONField(default=dict)

    objects = IngestBatchQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["collector", "batch_id"], name="ingest_batch_unique_per_collector"
            )
        ]
        indexes = [models.Index(fields=["received_at"], name="ingest_batch_received")]

    def __str__(self) -> str:
        return f"{self.collector_id}/{self.batch_id}"
