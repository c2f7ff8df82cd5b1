"""Sign-in events go into the audit log too."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from steward.core.audit import Actor, current_actor, record
from steward.core.choices import AuditAction


def _actor_for(user: Any) -> Actor:
    source = current_actor().source
    if user is None:
        return Actor(None, "", source)
    return Actor(user.pk, user.get_username(), source)


@receiver(user_logged_in, dispatch_uid="steward-audit-login")
def audit_login(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    record(
        AuditAction.LOGIN,
        object_type="tenancy.user",
        object_id=str(user.pk),
        object_repr=user.get_username(),
        actor=_actor_for(user),
    )


@receiver(user_logged_out, dispatch_uid="steward-audit-logout")
def audit_logout(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record(
            AuditAction.LOGOUT,
            object_type="tenancy.user",
            object_id=str(user.pk),
            object_repr=user.get_username(),
            actor=_actor_for(user),
        )


@receiver(user_login_failed, dispatch_uid="steward-audit-login-failed")
def audit_login_failed(sender: Any, credentials: dict[str, Any], **kwargs: Any) -> None:
    record(
        AuditAction.LOGIN_FAILED,
        object_type="tenancy.user",
        object_repr=str(credentials.get("username", ""))[:150],
        actor=_actor_for(None),
    )
