"""Clients, sites, contacts, users and API tokens in the admin (owners and admins only).

Saves here are audited by the model signals, with the source "admin" set by the audit
middleware; token rows are read-only and never show their digest.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest

from steward.tenancy.models import ApiToken, Client, Contact, Site, User


class SiteInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Site
    extra = 0
    fields = ("name", "city", "country", "timezone")


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "code", "status", "size", "timezone", "country")
    list_filter = ("status", "size")
    search_fields = ("name", "code", "industry")
    inlines = [SiteInline]


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "client", "city", "country", "timezone")
    list_filter = ("client",)
    search_fields = ("name", "city", "client__name")
    list_select_related = ("client",)


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("__str__", "client", "email", "title", "is_primary", "user")
    list_filter = ("client", "is_primary")
    search_fields = ("first_name", "last_name", "email", "client__name")
    list_select_related = ("client", "user")
    raw_id_fields = ("user",)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):  # type: ignore[type-arg]
    list_display = ("username", "email", "role", "client", "is_active", "last_login")
    list_filter = ("role", "is_active", "client")
    filter_horizontal = ("assigned_clients", "groups", "user_permissions")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,  # type: ignore[misc]
        ("Steward role", {"fields": ("role", "client", "assigned_clients", "sees_all_clients")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        ("Steward role", {"fields": ("role", "client")}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Listed for oversight; issue and revoke tokens on the account page, whose verbs audit."""

    list_display = ("name", "user", "lookup", "created_at", "expires_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "user__username", "lookup")
    fields = ("name", "user", "lookup", "scopes", "created_at", "expires_at", "revoked_at")
    readonly_fields = fields
    list_select_related = ("user",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
