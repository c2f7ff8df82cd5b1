"""Assets (servers, laptops, switches …) of a client and the latest fact of each kind about them."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from steward.monitoring.choices import AssetKind, AssetSource, FactStatus
from steward.tenancy.scoping import ClientScopedQuerySet


class Asset(models.Model):
    """A managed device or resource of a client. Agents and collectors find assets by ``key``
    (a machine id, a serial, an SNMP engine id), unique per client; assets entered by hand or
    imported may have none."""

    client = models.ForeignKey("tenancy.Client", on_delete=models.CASCADE, related_name="assets")
    site = models.ForeignKey("tenancy.Site", null=True, blank=True, on_delete=models.SET_NULL)
    kind = models.CharField(max_length=20, choices=AssetKind.choices, default=AssetKind.OTHER)
    name = models.CharField(max_length=200)
    hostname = models.CharField(max_length=255, blank=True)
    addresses = models.JSONField(default=list, blank=True)
    os = models.CharField(max_length=100, blank=True)
    os_version = models.CharField(max_length=100, blank=True)
    serial = models.CharField(max_length=100, blank=True)
    vendor = models.CharField(max_length=100, blank=True)
    model = models.CharField(max_length=100, blank=True)
    purchased_on = models.DateField(null=True, blank=True)
    warranty_ends_on = models.DateField(null=True, blank=True)
    os_eol_on = models.DateField(null=True, blank=True, help_text="End of the OS's support")
    owner = models.ForeignKey(
        "tenancy.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="assets"
    )
    tags = models.JSONField(default=list, blank=True)
    key = models.CharField(max_length=200, blank=True, help_text="Agent or collector identity")
    source = models.CharField(
        max_length=20, choices=AssetSource.choices, default=AssetSource.MANUAL
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_seen_at = models.DateTimeField(null=True, blank=True)

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        ordering = ["client_id", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "key"], condition=~Q(key=""), name="asset_key_unique_per_client"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.site is not None and self.site.client_id != self.client_id:
            errors["site"] = "the site belongs to another client"
        if self.owner is not None and self.owner.client_id != self.client_id:
            errors["owner"] = "the contact belongs to another client"
        if not isinstance(self.addresses, list) or not all(
            isinstance(a, str) for a in self.addresses
        ):
            errors["addresses"] = "a list of texts"
        if not isinstance(self.tags, list) or not all(isinstance(t, str) for t in self.tags):
            errors["tags"] = "a list of texts"
        if errors:
            raise ValidationError(errors)

    def warranty_expired(self, on: date) -> bool | None:
        """Whether the warranty has ended by ``on``; None when the end date is unknown."""
        return None if self.warranty_ends_on is None else self.warranty_ends_on < on

    def os_end_of_life(self, on: date) -> bool | None:
        """Whether the OS is past its end of support on ``on``; None when unknown."""
        return None if self.os_eol_on is None else self.os_eol_on < on


class AssetFactQuerySet(ClientScopedQuerySet):
    client_field = "asset__client"


class AssetFact(models.Model):
    """The latest value of one named fact about an asset (``firewall.active``,
    ``disk.encryption``): one row per (asset, name), replaced by newer reports."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="facts")
    name = models.CharField(max_length=100)
    value = models.JSONField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=FactStatus.choices, default=FactStatus.OK)
    detail = models.TextField(blank=True)
    at = models.DateTimeField()

    objects = AssetFactQuerySet.as_manager()

    class Meta:
        ordering = ["asset_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["asset", "name"], name="fact_unique_per_asset")
        ]

    def __str__(self) -> str:
        return f"{self.asset_id}: {self.name}"
