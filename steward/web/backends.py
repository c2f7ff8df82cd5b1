"""Django model permissions from the Steward role: owners and admins hold them all.

Steward's permissions live in one fixed table per role (tenancy/roles.py), not in Django's
per-user permission rows; this backend lets the admin read that table.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import BaseBackend

from steward.web.navigation import may_enter_admin


class RolePermissionBackend(BaseBackend):
    """Grants every model permission to active owners and admins; authenticates no one."""

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return bool(getattr(user_obj, "is_authenticated", False) and may_enter_admin(user_obj))

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return self.has_perm(user_obj, app_label)
