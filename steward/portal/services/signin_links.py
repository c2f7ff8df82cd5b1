"""Sign-in links by mail for client contacts: one-time, valid 15 minutes, rate-limited.

The token is ``<user id>-<issued, unix seconds>-<hmac>`` in base 36 and hex. The HMAC covers the
user's password hash and last sign-in time, as Django's password-reset tokens do, so signing
in (which moves ``last_login``) or changing the password voids every link issued before: a
link works once. Nothing is stored. Asking for a link answers the same whatever the address,
so the form tells nobody which addresses have accounts.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

from steward.core.branding import branding
from steward.monitoring.ratelimit import allow
from steward.tenancy.choices import Role
from steward.tenancy.models import User

log = logging.getLogger(__name__)

LINK_LIFETIME = timedelta(minutes=15)
SALT = "steward.portal.signin_link"
TOKEN = re.compile(r"^(?P<uid>[0-9a-z]{1,13})-(?P<ts>[0-9a-z]{1,13})-(?P<sig>[0-9a-f]{40})$")
# Per address: 3 links at once, then one every 5 minutes; per IP address: 10, then 1 a minute.
PER_ADDRESS = {"rate": 1 / 300, "burst": 3.0}
PER_IP = {"rate": 1 / 60, "burst": 10.0}
MAX_ID = 36**13 - 1


class LinkError(ValueError):
    """A sign-in link that cannot be used: damaged, expired, or already used."""


@dataclass(frozen=True)
class LinkToken:
    user_id: int
    issued: int  # unix seconds
    signature: str


def _b36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        number, rest = divmod(number, 36)
        text = digits[rest] + text
        if number == 0:
            return text


def parse_link_token(text: str) -> LinkToken:
    """The parts of a token, or LinkError for anything that is not one."""
    match = TOKEN.match(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise LinkError("this sign-in link is damaged or incomplete")
    user_id, issued = int(match["uid"], 36), int(match["ts"], 36)
    if not 0 < user_id <= MAX_ID:
        raise LinkError("this sign-in link is damaged or incomplete")
    return LinkToken(user_id, issued, match["sig"])


def link_expired(issued: int, now: datetime) -> bool:
    """Whether a link issued at ``issued`` (unix seconds) is too old at ``now``: it is valid
    from its issue until, not including, 15 minutes later. A link from the future is not
    valid either (a forged or clock-skewed timestamp)."""
    seconds = now.timestamp() - issued
    return not 0 <= seconds < LINK_LIFETIME.total_seconds()


def _signature(user: User, issued: int) -> str:
    login = "" if user.last_login is None else user.last_login.isoformat()
    value = f"{user.pk}|{user.password}|{login}|{issued}|{user.email}|{user.is_active}"
    return salted_hmac(SALT, value, algorithm="sha1").hexdigest()


def make_link_token(user: User, now: datetime) -> str:
    issued = int(now.timestamp())
    return f"{_b36(user.pk)}-{_b36(issued)}-{_signature(user, issued)}"


def portal_users() -> Q:
    return Q(role=Role.CLIENT_CONTACT, is_active=True, client__isnull=False)


def user_from_link_token(text: str, now: datetime) -> User:
    """The contact a link signs in, or LinkError saying why it cannot."""
    token = parse_link_token(text)
    if link_expired(token.issued, now):
        raise LinkError("this sign-in link has expired (links are valid 15 minutes)")
    user = User.objects.filter(portal_users(), pk=token.user_id).first()
    if user is None or not constant_time_compare(token.signature, _signature(user, token.issued)):
        raise LinkError("this sign-in link was already used or is not valid")
    return user


def accounts_for(address: str) -> list[User]:
    """Portal accounts reached at ``address``: by the login's or its contact's address."""
    match = Q(email__iexact=address) | Q(contact__email__iexact=address)
    return list(User.objects.filter(portal_users()).filter(match).distinct().order_by("pk"))


def rate_limited(address: str, ip: str, now: datetime) -> int:
    """Seconds to wait before another link may be asked for (0: go ahead). Counted whether
    or not the address has an account, so the limit says nothing about accounts either."""
    stamp = now.timestamp()
    for key, limits in (
        (f"portal-link:addr:{address}", PER_ADDRESS),
        (f"portal-link:ip:{ip}", PER_IP),
    ):
        decision = allow(key, stamp, **limits)
        if not decision.allowed:
            return decision.retry_after_s
    return 0


def link_message(user: User, address: str, now: datetime) -> EmailMultiAlternatives:
    brand = branding()
    token = make_link_token(user, now)
    url = (
        f"{settings.STEWARD_BASE_URL}{reverse('portal:link_signin')}?{urlencode({'token': token})}"
    )
    context = {"user": user, "url": url, "brand": brand, "minutes": 15, "client": user.client}
    message = EmailMultiAlternatives(
        subject=f"Your sign-in link for the {brand.name} portal",
        body=render_to_string("portal/mail/signin_link.txt", context),
        to=[address],
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(
        render_to_string("portal/mail/signin_link.html", context), "text/html"
    )
    return message


def send_signin_links(address: str, now: datetime) -> int:
    """Mail a link to every portal account at ``address``; how many were sent. A failed send
    is logged, never shown, so an error page cannot tell that the address has an account."""
    sent = 0
    for user in accounts_for(address):
        try:
            link_message(user, address, now).send()
        except Exception:
            log.exception("sign-in link mail to user %s failed", user.pk)
        else:
            sent += 1
    return sent
