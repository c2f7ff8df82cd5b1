"""A client's status page: private to the client's contacts and staff by default; optionally
published at a secret URL (``/status/<token>/``) whose token is stored as a hash only."""

from __future__ import annotations

from django.db import models
from django.utils import timezone as dj_tz

from steward.tenancy.scoping import ClientScopedQuerySet


class StatusPage(models.Model):
    client = models.OneToOneField(
        "tenancy.Client", on_delete=models.CASCADE, related_name="status_page"
    )
    headline = models.CharField(max_length=200, blank=True)
    intro = models.TextField(blank=True, help_text="Shown above the services")
    # The checks left off the page (by default every check of the client is shown).
    hidden_checks = models.ManyToManyField("monitoring.Check", blank=True, related_name="+")
    # The public secret URL: a ``sps_<lookup>_<secret>`` token (steward.core.tokens), shown once.
    public_lookup = models.CharField(max_length=12, unique=True, null=True, blank=True)
    public_digest = models.CharField(max_length=64, blank=True)
    public_since = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=dj_tz.now, editable=False)
    updated_at = models.DateTimeField(default=dj_tz.now)

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        ordering = ["client_id"]

    def __str__(self) -> str:
        return self.headline or f"Status of {self.client}"

    @property
    def is_public(self) -> bool:
        return self.public_lookup is not None
