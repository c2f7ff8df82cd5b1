"""The shared kernel's tables: the hash-chained audit log and the scheduler's lease."""

from __future__ import annotations

from typing import Any

from django.db import models

from steward.core.choices import AuditAction, AuditSource


class AuditEntry(models.Model):
    """One append-only entry of the audit log.

    ``seq`` numbers entries without gaps (a sequence would leave gaps on rollback), and ``hash``
    covers the entry's content plus the previous entry's hash, so any edit or removal breaks the
    chain.
    The actor is kept as id + name rather than a foreign key so deleting a user keeps its history.
    """

    seq = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField(db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    actor_name = models.CharField(max_length=150, blank=True)
    source = models.CharField(max_length=10, choices=AuditSource.choices)
    action = models.CharField(max_length=20, choices=AuditAction.choices, db_index=True)
    object_type = models.CharField(max_length=100, db_index=True)
    object_id = models.CharField(max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(max_length=200, blank=True)
    client_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["-seq"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"#{self.seq} {self.actor_name or 'system'} {self.action} {self.object_type}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("audit entries are append-only")


class AuditChainHead(models.Model):
    """A single row holding the last seq and hash: locking it serialises writers of the chain,
    and comparing it with the newest entry detects removal of the tail."""

    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"audit head #{self.last_seq}"


class SchedulerLease(models.Model):
    """Held by the one scheduler allowed to enqueue periodic jobs (`steward beat`)."""

    name = models.CharField(max_length=50, unique=True)
    holder = models.CharField(max_length=100)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} held by {self.holder}"


class PeriodicRun(models.Model):
    """When each periodic job is next due; claimed by compare-and-set so it is enqueued once."""

    name = models.CharField(max_length=100, unique=True)
    next_run_at = models.DateTimeField(db_index=True)
    last_run_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name
