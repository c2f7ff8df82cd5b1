"""Who is calling the API: a bearer token (scripts) or a signed-in session (the web UI's htmx)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer

from steward.api.rows import compiled_sql, instances
from steward.core.audit import Actor, _actor
from steward.core.choices import AuditSource
from steward.core.tokens import digest_matches, split_lookup
from steward.tenancy.models import ApiToken, User
from steward.tenancy.services import API_TOKEN_KIND


@dataclass(frozen=True)
class Principal:
    user: User
    token: ApiToken | None

    def allows(self, scope: str) -> bool:
        return self.token is None or self.token.allows(scope)


def _attribute(user: User) -> None:
    # Changes made by this request are the token owner's; the context var is reset by the
    # audit middleware when the request ends.
    _actor.set(Actor(user.pk, user.get_username(), AuditSource.API))


# Every API call reads its token and user: as SQL compiled once and rows turned into objects
# directly, this costs a fraction of building and compiling the ORM's query on each request.
def _token_by_lookup(lookup: str) -> ApiToken | None:
    sql, params = compiled_sql(
        "api.token",
        lambda v: ApiToken.objects.select_related("user").filter(lookup=v["lookup"]).order_by(),
        {"lookup": lookup},
    )
    for token, user in instances((ApiToken, User), sql, params):
        assert isinstance(token, ApiToken)
        assert isinstance(user, User)
        token.user = user
        return token
    return None


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Principal | None:
        lookup = split_lookup(token, API_TOKEN_KIND)
        if lookup is None:
            return None
        row = _token_by_lookup(lookup)
        now = timezone.now()
        if row is None or not digest_matches(token, row.digest) or not row.is_usable(now):
            return None
        if not row.user.is_active:
            return None
        touch = timedelta(seconds=settings.STEWARD_TOKEN_TOUCH_SECONDS)
        if row.last_used_at is None or now - row.last_used_at >= touch:
            # Throttled: a write on every read would serialise readers on SQLite.
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        _attribute(row.user)
        return Principal(row.user, row)


class SessionAuth(APIKeyCookie):
    """The signed-in web user; CSRF is enforced for unsafe methods as for any form."""

    param_name = settings.SESSION_COOKIE_NAME

    def authenticate(self, request: HttpRequest, key: str | None) -> Principal | None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return Principal(user, None)
        return None


def principal(request: HttpRequest) -> Principal:
    auth: Any = request.auth  # type: ignore[attr-defined]
    assert isinstance(auth, Principal)
    return auth


def require(request: HttpRequest, *, scope: str, permission: str | None = None) -> Principal:
    """Refuse with 403 unless the token has ``scope`` and the user's role has ``permission``."""
    who = principal(request)
    if not who.allows(scope):
        raise HttpError(403, f"this token lacks the '{scope}' scope")
    if permission is not None and not (
        who.user.is_superuser or who.user.has_role_permission(permission)
    ):
        raise HttpError(403, "your role does not allow this")
    return who
