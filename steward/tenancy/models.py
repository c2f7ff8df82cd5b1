"""Tenants and people: clients (the MSP's customers), their sites and contacts, and users."""

from __future__ import annotations

import functools
import zoneinfo
from typing import Any

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone as dj_tz

from steward.tenancy.choices import ClientSize, ClientStatus, Role, TokenScope
from steward.tenancy.roles import ROLE_PERMISSIONS
from steward.tenancy.scoping import ClientQuerySet, ClientScopedQuerySet, UserQuerySet

# Cached: available_timezones() walks the tzdata directory on every call (milliseconds per row).
_known_timezones = functools.cache(zoneinfo.available_timezones)


def validate_timezone(value: str) -> None:
    if value not in _known_timezones():
        raise ValidationError(f"unknown time zone {value!r}")


class Client(models.Model):
    """A customer of the MSP: the unit of tenancy. Everything a client owns points here."""

    name = models.CharField(max_length=200, unique=True)
    code = models.SlugField(
        max_length=20, unique=True, help_text="Short reference used in ticket subjects and reports"
    )
    status = models.CharField(
        max_length=20, choices=ClientStatus.choices, default=ClientStatus.ACTIVE
    )
    industry = models.CharField(max_length=100, blank=True)
    size = models.CharField(max_length=10, choices=ClientSize.choices, default=ClientSize.SMALL)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2")
    website = models.URLField(blank=True)
    notes = models.TextField(blank=True)
    onboarded_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=dj_tz.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ClientQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Site(models.Model):
    """A location of a client: an office, a data centre, a branch."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="sites")
    name = models.CharField(max_length=200)
    address = models.TextField(blank=True)
    city = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2")
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    created_at = models.DateTimeField(default=dj_tz.now, editable=False)

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        ordering = ["client_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["client", "name"], name="site_name_unique_per_client")
        ]

    def __str__(self) -> str:
        return f"{self.client} / {self.name}"


class Contact(models.Model):
    """A person at a client. May have a portal login (``user``)."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="contacts")
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.SET_NULL)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100, blank=True)
    email = models.EmailField(db_index=True)
    phone = models.CharField(max_length=40, blank=True)
    title = models.CharField(max_length=100, blank=True)
    is_primary = models.BooleanField(default=False)
    user = models.OneToOneField(
        "tenancy.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="contact"
    )
    created_at = models.DateTimeField(default=dj_tz.now, editable=False)

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        ordering = ["client_id", "last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "email"], name="contact_email_unique_per_client"
            )
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def clean(self) -> None:
        if (
            self.site_id is not None
            and self.site is not None
            and self.site.client_id != self.client_id
        ):
            raise ValidationError({"site": "the site belongs to another client"})


class StewardUserManager(UserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    def create_superuser(
        self, username: str, email: str | None = None, password: str | None = None, **extra: Any
    ) -> User:
        extra.setdefault("role", Role.OWNER)
        return super().create_superuser(username, email, password, **extra)  # type: ignore[no-any-return]


class User(AbstractUser):
    """Anyone who signs in: MSP staff (by role) or a client contact (portal, own client only)."""

    role = models.CharField(max_length=20, choices=Role.choices, default=Role.TECHNICIAN)
    client = models.ForeignKey(
        Client,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="portal_users",
        help_text="For client contacts: the one client this user belongs to",
    )
    assigned_clients = models.ManyToManyField(Client, blank=True, related_name="assigned_staff")
    sees_all_clients = models.BooleanField(
        default=False, help_text="Technicians only: see every client, not just assigned ones"
    )

    objects = StewardUserManager()  # type: ignore[misc]

    def clean(self) -> None:
        super().clean()
        if self.role == Role.CLIENT_CONTACT and self.client_id is None:
            raise ValidationError({"client": "a client contact must belong to a client"})
        if self.role != Role.CLIENT_CONTACT and self.client_id is not None:
            raise ValidationError({"client": "only client contacts belong to a client"})

    @property
    def is_client_contact(self) -> bool:
        return self.role == Role.CLIENT_CONTACT

    def has_role_permission(self, permission: str) -> bool:
        if not self.is_active:
            return False
        return permission in ROLE_PERMISSIONS.get(self.role, frozenset())


class ApiToken(models.Model):
    """A bearer token for the API: stored as a hash, scoped, expiring, revocable."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    lookup = models.CharField(max_length=12, unique=True)
    digest = models.CharField(max_length=64)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(default=dj_tz.now, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = models.Manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"

    def is_usable(self, now: Any) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > now

    def allows(self, scope: str) -> bool:
        # write implies read; admin implies both
        granted = set(self.scopes)
        if TokenScope.ADMIN in granted:
            granted |= {TokenScope.READ, TokenScope.WRITE}
        if TokenScope.WRITE in granted:
            granted.add(TokenScope.READ)
        return scope in granted
