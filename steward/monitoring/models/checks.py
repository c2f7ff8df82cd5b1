"""Checks a collector runs, their current state and their result history."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from steward.core.crypto import EncryptedTextField
from steward.monitoring.choices import CheckStatus, CheckType
from steward.tenancy.scoping import ClientScopedQuerySet


class Check(models.Model):
    """One check (HTTP, TLS, TCP, DNS, ping, SNMP, plugin, scrape) assigned to a collector.

    ``params`` holds the type's settings without secrets; the secret ones (SNMP community and
    v3 keys) live in ``secret_params``, encrypted at rest and sent only to the collector in its
    assignments, never through the user API. ``monitoring.params`` validates both.
    """

    client = models.ForeignKey("tenancy.Client", on_delete=models.CASCADE, related_name="checks")
    collector = models.ForeignKey(
        "monitoring.Collector", on_delete=models.CASCADE, related_name="checks"
    )
    asset = models.ForeignKey(
        "monitoring.Asset", null=True, blank=True, on_delete=models.SET_NULL, related_name="checks"
    )
    type = models.CharField(max_length=20, choices=CheckType.choices)
    name = models.CharField(max_length=200)
    params = models.JSONField(default=dict, blank=True)
    secret_params = EncryptedTextField(blank=True, default="")
    interval_s = models.PositiveIntegerField(
        default=60, validators=[MinValueValidator(10), MaxValueValidator(86_400)]
    )
    timeout_s = models.PositiveIntegerField(
        default=10, validators=[MinValueValidator(1), MaxValueValidator(300)]
    )
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        ordering = ["client_id", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.type})"

    def secrets(self) -> dict[str, Any]:
        return dict(json.loads(self.secret_params)) if self.secret_params else {}

    def clean(self) -> None:
        errors = {}
        if self.collector_id is not None and self.collector.client_id not in (None, self.client_id):
            errors["collector"] = "the collector belongs to another client"
        if self.asset is not None and self.asset.client_id != self.client_id:
            errors["asset"] = "the asset belongs to another client"
        timing = (self.timeout_s, self.interval_s)
        if None not in timing and self.timeout_s > self.interval_s:
            errors["timeout_s"] = "must not exceed interval_s"
        if errors:
            raise ValidationError(errors)


class CheckStateQuerySet(ClientScopedQuerySet):
    client_field = "of_check__client"


class CheckState(models.Model):
    """Where a check stands now: its state, since when, and its last result."""

    # Not ``check``: a field of that name would hide Model.check() (Django's models.E020).
    of_check = models.OneToOneField(
        Check,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="current",
        db_column="check_id",
    )
    state = models.CharField(
        max_length=20, choices=CheckStatus.choices, default=CheckStatus.PENDING
    )
    since = models.DateTimeField()
    last_result_at = models.DateTimeField()
    summary = models.TextField(blank=True)

    objects = CheckStateQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.of_check_id}: {self.state}"


class CheckResult(models.Model):
    """One result of a check, kept for the results retention (90 days by default)."""

    of_check = models.ForeignKey(
        Check, on_delete=models.CASCADE, related_name="results", db_column="check_id"
    )
    at = models.DateTimeField()
    state = models.CharField(max_length=20, choices=CheckStatus.choices)
    summary = models.TextField(blank=True)
    duration_ms = models.FloatField(null=True, blank=True)

    objects = CheckStateQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["of_check", "at"], name="check_result_by_time")]

    def __str__(self) -> str:
        return f"{self.of_check_id} {self.at}: {self.state}"
