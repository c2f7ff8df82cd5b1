"""Business operations on tenants, people and tokens: the only place that changes them.

Each verb validates, writes in one transaction and is audited (the audit log hooks every
registered model, whoever calls).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from steward.core.audit import record
from steward.core.choices import AuditAction
from steward.core.tokens import NewToken, new_token
from steward.core.validation import apply_changes, save_validated
from steward.tenancy.choices import Role, TokenScope
from steward.tenancy.models import ApiToken, Client, Contact, Site, User
from steward.tenancy.roles import CHANGE_USERS

API_TOKEN_KIND = "stw"  # noqa: S105 (a prefix, not a secret)


# --- Clients, sites, contacts -------------------------------------------------------------------


def create_client(**fields: Any) -> Client:
    return save_validated(Client(**fields))


def update_client(client: Client, changes: Mapping[str, Any]) -> Client:
    return apply_changes(client, changes)


def delete_client(client: Client) -> None:
    with transaction.atomic():
        client.delete()


def create_site(client: Client, **fields: Any) -> Site:
    return save_validated(Site(client=client, **fields))


def update_site(site: Site, changes: Mapping[str, Any]) -> Site:
    return apply_changes(site, changes)


def delete_site(site: Site) -> None:
    site.delete()


def create_contact(client: Client, **fields: Any) -> Contact:
    return save_validated(Contact(client=client, **fields))


def update_contact(contact: Contact, changes: Mapping[str, Any]) -> Contact:
    return apply_changes(contact, changes)


def delete_contact(contact: Contact) -> None:
    contact.delete()


# --- Users --------------------------------------------------------------------------------------


def create_user(
    *,
    username: str,
    role: str,
    password: str | None = None,
    client: Client | None = None,
    assigned_clients: Iterable[Client] = (),
    **fields: Any,
) -> User:
    """Create a user; without a password the account can only sign in after a reset."""
    user = User(username=username, role=role, client=client, **fields)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    with transaction.atomic():
        save_validated(user)
        assigned = list(assigned_clients)
        if assigned:
            user.assigned_clients.set(assigned)
    return user


def update_user(user: User, changes: Mapping[str, Any]) -> User:
    changes = dict(changes)
    assigned = changes.pop("assigned_clients", None)
    password = changes.pop("password", None)
    with transaction.atomic():
        if password:
            user.set_password(password)
        apply_changes(user, changes)
        if assigned is not None:
            user.assigned_clients.set(assigned)
    return user


def deactivate_user(user: User) -> User:
    """Users are deactivated rather than deleted, so their history keeps its author.
    Their tokens are revoked with them."""
    with transaction.atomic():
        apply_changes(user, {"is_active": False})
        for token in user.api_tokens.filter(revoked_at__isnull=True):
            revoke_token(token)
    return user


def ensure_owner(username: str, email: str, password: str) -> tuple[User, bool]:
    """The first owner account, made on first start. Returns (user, created)."""
    existing = User.objects.filter(role=Role.OWNER).order_by("pk").first()
    if existing is not None:
        return existing, False
    user = User.objects.create_superuser(username=username, email=email, password=password)
    return user, True


# --- API tokens ---------------------------------------------------------------------------------


def _check_scopes(scopes: Iterable[str]) -> list[str]:
    scopes = list(dict.fromkeys(scopes))
    valid = set(TokenScope.values)
    bad = [s for s in scopes if s not in valid]
    if bad or not scopes:
        raise ValidationError(
            {
                "scopes": f"choose from {', '.join(sorted(valid))}"
                + (f"; unknown: {bad}" if bad else "")
            }
        )
    return scopes


def create_token(
    user: User,
    *,
    name: str,
    scopes: Iterable[str] = (TokenScope.READ,),
    expires_at: datetime | None = None,
    now: datetime | None = None,
) -> tuple[ApiToken, str]:
    """Issue a token for ``user``; returns the row and the plain token, which is never stored."""
    now = now or timezone.now()
    if expires_at is not None and expires_at <= now:
        raise ValidationError({"expires_at": "must be in the future"})
    scope_list = _check_scopes(scopes)
    if TokenScope.ADMIN in scope_list and not user.has_role_permission(CHANGE_USERS):
        raise ValidationError({"scopes": "the admin scope needs a role that may change users"})
    issued: NewToken = new_token(API_TOKEN_KIND)
    token = ApiToken(
        user=user,
        name=name,
        lookup=issued.lookup,
        digest=issued.digest,
        scopes=scope_list,
        expires_at=expires_at,
        created_at=now,
    )
    with transaction.atomic():
        save_validated(token)
        record(
            AuditAction.TOKEN_CREATE,
            object_type="tenancy.apitoken",
            object_id=str(token.pk),
            object_repr=str(token),
            after={"scopes": scope_list, "expires_at": expires_at, "user": user.username},
        )
    return token, issued.plain


def revoke_token(token: ApiToken, now: datetime | None = None) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = now or timezone.now()
        with transaction.atomic():
            token.save(update_fields=["revoked_at"])
            record(
                AuditAction.TOKEN_REVOKE,
                object_type="tenancy.apitoken",
                object_id=str(token.pk),
                object_repr=str(token),
            )
    return token


def may_manage_tokens_of(actor: User, owner: User) -> None:
    """Users manage their own tokens; owners and admins manage anyone's."""
    if actor.pk != owner.pk and not actor.has_role_permission(CHANGE_USERS):
        raise PermissionDenied("you may only manage your own tokens")
