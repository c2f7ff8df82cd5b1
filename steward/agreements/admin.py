"""Agreements in the admin. Saves are audited by the model signals.

SLA policies and their targets are read-only here: an edit must add a version through
``services.update_sla_policy`` (the history of closed periods is never rewritten), and
reminders are raised only by the daily job.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from steward.agreements.models import (
    Agreement,
    BusinessCalendar,
    License,
    Reminder,
    ServiceCategory,
    ServiceOffering,
    SlaPolicy,
    SlaTarget,
    StatementOfWork,
)


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CategoryInline(admin.TabularInline):  # type: ignore[type-arg]
    model = ServiceCategory
    extra = 1


@admin.register(ServiceOffering)
class ServiceOfferingAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "active")
    search_fields = ("name",)
    inlines = [CategoryInline]


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("reference", "client", "start_date", "term_months", "auto_renew", "notice_days")
    list_filter = ("auto_renew", "payment_terms", "currency")
    search_fields = ("reference", "title", "client__name")
    list_select_related = ("client",)


@admin.register(StatementOfWork)
class StatementOfWorkAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("title", "agreement", "client", "start_date", "end_date", "monthly_fee")
    search_fields = ("title", "client__name")
    list_select_related = ("agreement", "client")
    filter_horizontal = ("included_offerings", "excluded_offerings")


@admin.register(License)
class LicenseAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("product", "vendor", "client", "seats", "assigned_seats", "end_date")
    search_fields = ("product", "vendor", "client__name")
    list_select_related = ("client",)


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "client")
    search_fields = ("name", "client__name")
    list_select_related = ("client",)


@admin.register(SlaPolicy)
class SlaPolicyAdmin(ReadOnlyAdmin):
    list_display = ("name", "version", "agreement", "effective_from", "effective_until")
    search_fields = ("name", "client__name")
    list_select_related = ("agreement",)


@admin.register(SlaTarget)
class SlaTargetAdmin(ReadOnlyAdmin):
    list_display = ("policy", "priority", "response_seconds", "resolution_seconds")
    list_select_related = ("policy",)


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ("kind", "client", "due_date", "threshold", "acknowledged_at")
    list_filter = ("kind", "threshold")
    list_select_related = ("client",)
