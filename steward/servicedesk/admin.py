"""The service desk in the admin (owners and admins only).

Read-mostly: tickets and everything on their timeline change only through the service verbs
(the SLA clocks are derived from the events, and a hand-edited row would break that), so those
models are read-only here. Queues, skills and technician profiles are configuration and may
be edited; saves are audited by the model signals.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from steward.servicedesk.models import (
    Attachment,
    MailMessage,
    Queue,
    RecurringTicket,
    Skill,
    Survey,
    TechnicianProfile,
    Ticket,
    TicketEvent,
    TicketLink,
    TimeEntry,
    Timer,
)


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Rows written by the service verbs only: view, search and filter, never change."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EventInline(admin.TabularInline):  # type: ignore[type-arg]
    model = TicketEvent
    fields = ("at", "kind", "actor", "actor_contact", "from_value", "to_value", "public")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "client", "status", "priority", "assignee", "created_at",
                    "response_due_at", "resolution_due_at", "response_met",
                    "resolution_met")  # fmt: skip
    list_filter = ("status", "priority", "kind", "source", "sla_paused", "response_met",
                   "resolution_met", "client")  # fmt: skip
    search_fields = ("subject", "external_ref", "client__name")
    list_select_related = ("client", "assignee")
    date_hierarchy = "created_at"
    inlines = [EventInline]


@admin.register(TicketEvent)
class TicketEventAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "at", "kind", "actor", "public")
    list_filter = ("kind", "public")
    search_fields = ("body", "ticket__subject")
    list_select_related = ("ticket", "actor")


@admin.register(TicketLink)
class TicketLinkAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "kind", "target", "reference", "created_at")
    list_filter = ("kind",)
    list_select_related = ("ticket", "target")


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ("filename", "ticket", "content_type", "size", "uploaded_by", "created_at")
    search_fields = ("filename", "sha256")
    list_select_related = ("ticket", "uploaded_by")


@admin.register(TimeEntry)
class TimeEntryAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "technician", "started_at", "duration_seconds", "work_type",
                    "billable")  # fmt: skip
    list_filter = ("work_type", "billable")
    list_select_related = ("ticket", "technician")


@admin.register(Timer)
class TimerAdmin(ReadOnlyAdmin):
    list_display = ("technician", "ticket", "started_at")
    list_select_related = ("technician", "ticket")


@admin.register(RecurringTicket)
class RecurringTicketAdmin(ReadOnlyAdmin):
    list_display = ("subject", "client", "rrule", "next_occurrence_at", "active")
    list_filter = ("active",)
    search_fields = ("subject", "client__name")
    list_select_related = ("client",)


@admin.register(Survey)
class SurveyAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "contact", "technician", "sent_at", "rating", "answered_at")
    list_select_related = ("ticket", "contact", "technician")


@admin.register(MailMessage)
class MailMessageAdmin(ReadOnlyAdmin):
    list_display = ("at", "direction", "disposition", "from_address", "subject", "ticket")
    list_filter = ("direction", "disposition")
    search_fields = ("from_address", "subject", "message_id")
    list_select_related = ("ticket",)


@admin.register(Queue)
class QueueAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "email", "is_default")
    search_fields = ("name", "email")
    filter_horizontal = ("members",)


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "code")
    search_fields = ("name", "code")
    filter_horizontal = ("categories",)


@admin.register(TechnicianProfile)
class TechnicianProfileAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("user", "calendar", "auto_assign", "capacity")
    list_filter = ("auto_assign",)
    filter_horizontal = ("skills",)
    list_select_related = ("user", "calendar")
