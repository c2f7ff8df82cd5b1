"""Status page verbs: the page of a client (made on first use), its settings, and its public
secret URL (publish, rotate, turn off). Every change is audited."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from steward.core import audit
from steward.core.choices import AuditAction
from steward.core.tokens import digest_matches, hash_token, new_token, split_lookup
from steward.monitoring.models import Check
from steward.portal.models import StatusPage
from steward.tenancy.models import Client

URL_KIND = "sps"
# Compared against when no page has the lookup, so a wrong lookup costs one hash like a wrong
# secret does (the lookup itself is no secret: it is only an index).
UNUSED_DIGEST = hash_token(f"{URL_KIND}_000000000000_unused")


def page_for(client: Client) -> StatusPage:
    """The client's status page, made with defaults on first use (two requests at once: the
    loser of the unique constraint reads the winner's row)."""
    page = StatusPage.objects.filter(client=client).first()
    if page is not None:
        return page
    try:
        with transaction.atomic():
            return StatusPage.objects.create(client=client)
    except IntegrityError:
        return StatusPage.objects.get(client=client)


def _record(page: StatusPage, what: str, before: dict[str, Any], after: dict[str, Any]) -> None:
    audit.record(
        AuditAction.UPDATE,
        object_type="portal.statuspage",
        object_id=str(page.pk),
        object_repr=f"Status page of {page.client} ({what})",
        client_id=page.client_id,
        before=before,
        after=after,
    )


def update_page(
    page: StatusPage, *, headline: str, intro: str, hidden: Iterable[Check], now: datetime
) -> StatusPage:
    """Change the headline, the intro and the checks left off the page. A hidden check must
    be one of the page's client."""
    hidden = list(hidden)
    strangers = [c.pk for c in hidden if c.client_id != page.client_id]
    if strangers:
        raise ValidationError({"hidden_checks": f"checks {strangers} belong to another client"})
    before = {
        "headline": page.headline,
        "intro": page.intro,
        "hidden_checks": sorted(page.hidden_checks.values_list("pk", flat=True)),
    }
    with transaction.atomic():
        page.headline, page.intro, page.updated_at = headline, intro, now
        page.full_clean(exclude=["client", "hidden_checks"])
        page.save(update_fields=["headline", "intro", "updated_at"])
        page.hidden_checks.set(hidden)
        after = {
            "headline": headline,
            "intro": intro,
            "hidden_checks": sorted(c.pk for c in hidden),
        }
        _record(page, "settings", before, after)
    return page


def publish(page: StatusPage, now: datetime) -> str:
    """Give the page a new secret URL token (replacing any old one, which stops working at
    once) and return it: it is shown once and stored only as a hash."""
    token = new_token(URL_KIND)
    with transaction.atomic():
        was_public = page.is_public
        page.public_lookup, page.public_digest = token.lookup, token.digest
        page.public_since, page.updated_at = now, now
        page.save(update_fields=["public_lookup", "public_digest", "public_since", "updated_at"])
        _record(page, "public URL rotated" if was_public else "public URL on", {}, {"public": True})
    return token.plain


def unpublish(page: StatusPage, now: datetime) -> None:
    """Turn the public URL off: the page is private again."""
    with transaction.atomic():
        page.public_lookup, page.public_digest, page.public_since = None, "", None
        page.updated_at = now
        page.save(update_fields=["public_lookup", "public_digest", "public_since", "updated_at"])
        _record(page, "public URL off", {"public": True}, {"public": False})


def find_public(token: str) -> StatusPage | None:
    """The published page of ``token``, or None. One indexed lookup, then one constant-time
    digest compare, which also runs when the lookup finds nothing."""
    lookup = split_lookup(token, URL_KIND)
    page = (
        StatusPage.objects.select_related("client").filter(public_lookup=lookup).first()
        if lookup is not None
        else None
    )
    digest = page.public_digest if page is not None else UNUSED_DIGEST
    matches = digest_matches(token, digest)
    return page if page is not None and matches else None
