"""Who may enter the Django admin (owners and admins), and the authenticator devices in it."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from steward.web.models import EncryptedTOTPDevice
from steward.web.navigation import may_enter_admin


def _has_permission(request: HttpRequest) -> bool:
    user: Any = request.user
    return bool(user.is_active and user.is_authenticated and may_enter_admin(user))


def _login(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    """The admin has no sign-in form of its own: everyone signs in through the shell (with
    its lock-out and second factor); signed-in users without the right role get a 403."""
    if request.user.is_authenticated:
        raise PermissionDenied("only owners and administrators may use the admin")
    return redirect_to_login(request.GET.get("next", reverse("admin:index")))


# The project uses Django's default site; replacing these two per instance keeps its URLs.
admin.site.has_permission = _has_permission  # type: ignore[method-assign]
admin.site.login = _login  # type: ignore[method-assign, assignment]
admin.site.site_header = "Steward administration"
admin.site.site_title = "Steward admin"
admin.site.site_url = "/"


@admin.register(EncryptedTOTPDevice)
class EncryptedTOTPDeviceAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only, without the secret; deleting one resets a user who lost their phone."""

    list_display = ("user", "name", "confirmed", "created_at", "last_used_at")
    list_filter = ("confirmed",)
    search_fields = ("user__username",)
    fields = ("user", "name", "confirmed", "created_at", "last_used_at", "throttling_failure_count")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
