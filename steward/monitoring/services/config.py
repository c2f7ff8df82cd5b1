"""Configuration verbs: assets by hand, collectors and agents with their tokens, checks.

Each validates, writes in one transaction and is audited (Asset, Collector and Check are
registered with the audit log, so every entry point is covered).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from steward.core.tokens import digest_matches, new_token, split_lookup
from steward.core.validation import apply_changes, save_validated
from steward.monitoring.choices import AssetSource, CollectorKind
from steward.monitoring.models import Asset, Check, Collector
from steward.monitoring.models.collectors import TOKEN_KINDS
from steward.monitoring.params import SECRET_FIELDS, validate_params
from steward.tenancy.models import Client

# --- Assets -------------------------------------------------------------------------------------


def create_asset(client: Client, **fields: Any) -> Asset:
    """An asset entered by hand (or imported: ``source``), validated field by field."""
    fields.setdefault("source", AssetSource.MANUAL)
    return save_validated(Asset(client=client, **fields))


def update_asset(asset: Asset, changes: Mapping[str, Any]) -> Asset:
    """Change the named fields of an asset; unknown names are refused."""
    return apply_changes(asset, changes)


def delete_asset(asset: Asset) -> None:
    """Delete an asset with its facts and series (and their samples, signals.py)."""
    with transaction.atomic():
        asset.delete()


# --- Collectors and agents ----------------------------------------------------------------------


def create_collector(
    client: Client | None, *, kind: str, name: str, site_id: int | None = None
) -> tuple[Collector, str]:
    """A new collector or agent and its plain token, which is shown this once only. Without a
    client: a hosted collector, which may run checks of any client."""
    if kind not in CollectorKind.values:
        raise ValidationError({"kind": f"one of {', '.join(CollectorKind.values)}"})
    token = new_token(TOKEN_KINDS[CollectorKind(kind)])
    collector = Collector(
        client=client,
        site_id=site_id,
        kind=kind,
        name=name,
        lookup=token.lookup,
        digest=token.digest,
    )
    return save_validated(collector), token.plain


def revoke_collector(collector: Collector, now: datetime | None = None) -> Collector:
    """Revoke a collector's or agent's token; its next request is refused. Idempotent."""
    if collector.revoked_at is None:
        collector.revoked_at = now or timezone.now()
        with transaction.atomic():
            collector.save(update_fields=["revoked_at"])
    return collector


def authenticate_collector(plain: str) -> Collector | None:
    """The active collector or agent whose token this is, or None."""
    for kind in TOKEN_KINDS.values():
        lookup = split_lookup(plain, kind)
        if lookup is None:
            continue
        rows = Collector.objects.filter(lookup=lookup).select_related("asset").order_by()[:1]
        found = next(iter(rows), None)
        if found is None or found.token_kind != kind or not digest_matches(plain, found.digest):
            return None
        return found if found.revoked_at is None else None
    return None


# --- Checks -------------------------------------------------------------------------------------


def _apply_params(check: Check, params: Any, *, keep_secrets: bool) -> None:
    """Validate ``params`` for the check's type; secrets go encrypted into ``secret_params``.
    On an update a secret that is not sent again keeps its stored value (the API never shows
    secrets, so a client cannot send them back)."""
    if keep_secrets:
        kept = {k: v for k, v in check.secrets().items() if k not in params}
        params = {**kept, **params}
    plain, secrets = validate_params(check.type, params)
    check.params = plain
    check.secret_params = json.dumps(secrets, sort_keys=True) if secrets else ""


def create_check(client: Client, *, collector: Collector, params: Any, **fields: Any) -> Check:
    """A check of ``collector``; ``params`` are validated for its type, secrets encrypted."""
    check = Check(client=client, collector=collector, **fields)
    _apply_params(check, params, keep_secrets=False)
    return save_validated(check)


def update_check(check: Check, changes: Mapping[str, Any]) -> Check:
    """Change a check; new ``params`` are validated again, secrets left out are kept."""
    changes = dict(changes)
    params = changes.pop("params", None)
    type_changed = "type" in changes and changes["type"] != check.type
    for name, value in changes.items():
        setattr(check, name, value)
    if params is not None or type_changed:
        base = params if params is not None else check.params
        _apply_params(check, base, keep_secrets=not type_changed)
    return apply_changes(check, {})


def delete_check(check: Check) -> None:
    """Delete a check with its state, results and series."""
    with transaction.atomic():
        check.delete()


def secret_names(check: Check) -> list[str]:
    """Names of the secrets set on ``check`` (what the API may say about them)."""
    allowed = SECRET_FIELDS.get(check.type, frozenset())
    return sorted(k for k in check.secrets() if k in allowed)
