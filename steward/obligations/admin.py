"""Obligations and vendor programs in the admin; evaluations are read-only there.

Saves are audited by the model signals. Evaluations are written only by the engine
(evaluation.py), so the admin shows them without any way to change history.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from steward.obligations.models import Evaluation, Obligation, VendorProgram


@admin.register(VendorProgram)
class VendorProgramAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "vendor", "tier")
    search_fields = ("name", "vendor")


@admin.register(Obligation)
class ObligationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = (
        "name", "client", "vendor_program", "category", "measure_key", "comparator", "target",
        "period_kind", "active",
    )  # fmt: skip
    list_filter = ("category", "period_kind", "active")
    search_fields = ("name", "measure_key", "client__name", "source_reference")
    list_select_related = ("client", "vendor_program")


@admin.register(Evaluation)
class EvaluationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("obligation", "period", "status", "value", "target", "final", "evaluated_at")
    list_filter = ("status", "final", "period")
    search_fields = ("obligation__name", "client__name")
    list_select_related = ("obligation", "obligation__client")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
