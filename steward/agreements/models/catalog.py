"""The MSP's service catalog: offerings, and the ticket categories each one covers."""

from __future__ import annotations

from django.db import models
from django.utils import timezone as dj_tz


class ServiceOffering(models.Model):
    """A service the MSP sells (e.g. "Managed endpoints", "Backup and recovery"). MSP-wide: a
    statement of work includes or excludes offerings by reference."""

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=dj_tz.now, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ServiceCategory(models.Model):
    """A ticket category that an offering covers; tickets in it are in scope of a SOW that
    includes the offering."""

    offering = models.ForeignKey(
        ServiceOffering, on_delete=models.CASCADE, related_name="categories"
    )
    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["offering_id", "name"]
        verbose_name_plural = "service categories"

    def __str__(self) -> str:
        return f"{self.offering} / {self.name}"
