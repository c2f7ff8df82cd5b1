from __future__ import annotations

from argparse import ArgumentParser
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from steward.tenancy.models import ApiToken, User
from steward.tenancy.services import create_token, revoke_token


def parse_expiry(value: str, now: datetime) -> datetime:
    """`30d`, `12h` or an ISO 8601 instant."""
    if value[:-1].isascii() and value[:-1].isdigit() and value[-1] in "dh":
        amount = int(value[:-1])
        return now + (timedelta(days=amount) if value[-1] == "d" else timedelta(hours=amount))
    parsed = parse_datetime(value)
    if parsed is None:
        raise CommandError(f"--expires {value!r}: use 30d, 12h or an ISO 8601 date and time")
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, UTC)


class Command(BaseCommand):
    help = (
        "API tokens: `create USERNAME [--scopes read,write] [--expires 30d]`, `list`, `revoke ID`."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="issue a token and print it once")
        create.add_argument("username")
        create.add_argument("--scopes", default="read", help="comma-separated: read,write,admin")
        create.add_argument("--expires", help="30d, 12h or an ISO 8601 date and time")
        create.add_argument("--name", default="command line")
        listing = sub.add_parser("list", help="list tokens (never their secrets)")
        listing.add_argument("--user")
        revoke = sub.add_parser("revoke", help="revoke a token by id")
        revoke.add_argument("token_id", type=int)

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        getattr(self, f"_{action}")(**options)

    def _create(self, username: str, scopes: str, expires: str | None, name: str, **_: Any) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"username {username!r}: no such user")
        now = timezone.now()
        expires_at = parse_expiry(expires, now) if expires else None
        try:
            _token, plain = create_token(
                user,
                name=name,
                scopes=[s.strip() for s in scopes.split(",") if s.strip()],
                expires_at=expires_at,
                now=now,
            )
        except ValidationError as exc:
            raise CommandError(
                "; ".join(
                    f"--{k.replace('_at', '')}: {', '.join(v)}" for k, v in exc.message_dict.items()
                )
            ) from None
        self.stdout.write(plain)

    def _list(self, user: str | None, **_: Any) -> None:
        tokens = ApiToken.objects.select_related("user").order_by("pk")
        if user:
            tokens = tokens.filter(user__username=user)
        for t in tokens:
            state = (
                "revoked"
                if t.revoked_at
                else ("expired" if not t.is_usable(timezone.now()) else "active")
            )
            expiry = t.expires_at.isoformat() if t.expires_at else "never"
            self.stdout.write(
                f"{t.pk}\t{t.user.username}\t{t.name}\t{','.join(t.scopes)}\t{expiry}\t{state}"
            )

    def _revoke(self, token_id: int, **_: Any) -> None:
        token = ApiToken.objects.filter(pk=token_id).first()
        if token is None:
            raise CommandError(f"token {token_id}: no such token")
        revoke_token(token)
        self.stdout.write(f"token {token_id} revoked")
