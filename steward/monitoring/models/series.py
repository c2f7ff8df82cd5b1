"""Metric series, their raw samples and hourly rollups.

Samples are the hot table (bench/ingest.py: over 100,000 a second). Their primary key is the
pair (series, ts), so one B-tree serves both the writes and every read of a chart, and ``ts``
is an integer (Unix milliseconds): no datetime conversion per row on the way in or out. The
series column carries no database foreign key: a constraint check per row costs on COPY, and
samples are only ever written by the ingest service for series it has just resolved.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from steward.tenancy.scoping import ClientScopedQuerySet


class Series(models.Model):
    """One metric with one set of labels, about an asset or produced by a check. ``key`` is a
    digest of what identifies it (owner, metric, labels), unique per client."""

    client = models.ForeignKey("tenancy.Client", on_delete=models.CASCADE, related_name="series")
    asset = models.ForeignKey(
        "monitoring.Asset", null=True, blank=True, on_delete=models.CASCADE, related_name="series"
    )
    # Not ``check``: a field of that name would hide Model.check() (Django's models.E020).
    from_check = models.ForeignKey(
        "monitoring.Check",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="series",
        db_column="check_id",
    )
    metric = models.CharField(max_length=200)
    labels = models.JSONField(default=dict, blank=True)
    key = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "series"
        constraints = [
            models.UniqueConstraint(fields=["client", "key"], name="series_key_unique_per_client")
        ]

    def __str__(self) -> str:
        return self.metric


class SampleQuerySet(ClientScopedQuerySet):
    client_field = "series__client"


class Sample(models.Model):
    """One raw value of a series at ``ts`` (Unix milliseconds), kept 14 days by default."""

    pk = models.CompositePrimaryKey("series", "ts")
    series = models.ForeignKey(Series, on_delete=models.DO_NOTHING, db_constraint=False)
    ts = models.BigIntegerField()
    value = models.FloatField()

    objects = SampleQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.series_id}@{self.ts}={self.value}"


class Rollup(models.Model):
    """Min, max, sum and count of a series' samples in one hour (``hour``: Unix seconds of its
    start), recomputed from the raw samples while they exist and kept two years by default."""

    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="rollups")
    hour = models.BigIntegerField()
    min = models.FloatField()
    max = models.FloatField()
    sum = models.FloatField()
    count = models.PositiveIntegerField()

    objects = SampleQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["series", "hour"], name="rollup_unique_per_hour")
        ]

    def __str__(self) -> str:
        return f"{self.series_id}@{self.hour}"
