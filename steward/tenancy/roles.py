"""What each role may do. One table, read by the scoping helper, the API and the views.

Permissions are plain strings ``<area>.<verb>``; a role's set is fixed here rather than in the
database so every installation means the same thing by "technician".
"""

from __future__ import annotations

from steward.tenancy.choices import Role

VIEW_CLIENTS = "clients.view"
CHANGE_CLIENTS = "clients.change"
VIEW_USERS = "users.view"
CHANGE_USERS = "users.change"
VIEW_AUDIT = "audit.view"

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.OWNER: frozenset({VIEW_CLIENTS, CHANGE_CLIENTS, VIEW_USERS, CHANGE_USERS, VIEW_AUDIT}),
    Role.ADMIN: frozenset({VIEW_CLIENTS, CHANGE_CLIENTS, VIEW_USERS, CHANGE_USERS, VIEW_AUDIT}),
    Role.SERVICE_MANAGER: frozenset({VIEW_CLIENTS, CHANGE_CLIENTS, VIEW_USERS}),
    Role.DISPATCHER: frozenset({VIEW_CLIENTS, VIEW_USERS}),
    Role.TECHNICIAN: frozenset({VIEW_CLIENTS, VIEW_USERS}),
    Role.ACCOUNT_MANAGER: frozenset({VIEW_CLIENTS, CHANGE_CLIENTS, VIEW_USERS}),
    Role.AUDITOR: frozenset({VIEW_CLIENTS, VIEW_USERS, VIEW_AUDIT}),
    Role.CLIENT_CONTACT: frozenset({VIEW_CLIENTS}),
}

# Roles that see every client. Technicians see only their assigned clients unless
# `sees_all_clients` is set on them; client contacts see their own client only.
ALL_CLIENT_ROLES = frozenset(
    {
        Role.OWNER,
        Role.ADMIN,
        Role.SERVICE_MANAGER,
        Role.DISPATCHER,
        Role.ACCOUNT_MANAGER,
        Role.AUDITOR,
    }
)
STAFF_ROLES = frozenset(Role) - {Role.CLIENT_CONTACT}
# Roles allowed into the Django admin.
ADMIN_SITE_ROLES = frozenset({Role.OWNER, Role.ADMIN})
