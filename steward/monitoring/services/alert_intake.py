"""Alerts from other tools (Alertmanager, generic JSON) onto the alert path.

A ``WebhookSource`` is bound to one client: its token (kind ``swh``) can only raise alerts of
that client, about that client's assets. Each alert is deduplicated per source and key
(``src<id>/<key>``), goes through ``intake.apply_incoming`` (flapping, maintenance of its asset)
and then the same rows, history and tickets as Steward's own alerts (``alert_state``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q

from steward.core.tokens import digest_matches, new_token, split_lookup
from steward.core.validation import save_validated
from steward.monitoring.choices import AlertSource
from steward.monitoring.intake.alertmanager import parse_alertmanager
from steward.monitoring.intake.apply import apply_incoming
from steward.monitoring.intake.generic import parse_generic
from steward.monitoring.intake.model import IncomingAlert, IntakeError, IntakeResult
from steward.monitoring.models import Alert, Asset, WebhookSource
from steward.monitoring.rules import maintenance
from steward.monitoring.rules.model import Transition
from steward.monitoring.services import alert_state
from steward.monitoring.services.windows import windows_of
from steward.tenancy.models import Client

TOKEN_KIND = "swh"  # noqa: S105 - a token prefix, not a secret
ASSET_LABELS = ("asset", "instance", "hostname")
PARSERS: dict[str, Callable[[Any, datetime], IntakeResult]] = {
    "alertmanager": parse_alertmanager,
    "generic": parse_generic,
}
POSITION = re.compile(r"^(?:alerts)?\[(\d+)\]")
TINY = timedelta(microseconds=1)


@dataclass(frozen=True)
class IntakeAnswer:
    accepted: int
    errors: list[IntakeError]


# --- Sources --------------------------------------------------------------------------------------


def create_source(
    client: Client, *, name: str, asset_labels: Sequence[str] = (), created_by: Any = None
) -> tuple[WebhookSource, str]:
    """A new source and its plain token, shown this once only."""
    token = new_token(TOKEN_KIND)
    source = WebhookSource(
        client=client,
        name=name,
        asset_labels=list(asset_labels),
        lookup=token.lookup,
        digest=token.digest,
        created_by=created_by,
    )
    return save_validated(source), token.plain


def revoke_source(source: WebhookSource, now: datetime) -> WebhookSource:
    """Revoke the source's token; its next request is refused. Idempotent."""
    if source.revoked_at is None:
        source.revoked_at = now
        with transaction.atomic():
            source.save(update_fields=["revoked_at"])
    return source


def authenticate_source(plain: str) -> WebhookSource | None:
    """The active source whose token this is, or None."""
    lookup = split_lookup(plain, TOKEN_KIND)
    if lookup is None:
        return None
    rows = WebhookSource.objects.filter(lookup=lookup).select_related("client").order_by()[:1]
    found = next(iter(rows), None)
    if found is None or not digest_matches(plain, found.digest) or found.revoked_at is not None:
        return None
    return found


# --- Receiving ------------------------------------------------------------------------------------


def receive(source: WebhookSource, kind: str, payload: Any, now: datetime) -> IntakeAnswer:
    """Parse ``payload`` (decoded JSON) as ``kind`` and put each good alert on the alert path.
    A payload that cannot be read at all raises ``IntakeError``; bad alerts are answered."""
    parsed = PARSERS[kind](payload, now)
    errors = list(parsed.errors)
    refused = {_position(e.field) for e in errors}
    positions = [i for i in range(len(parsed.alerts) + len(refused)) if i not in refused]
    accepted = 0
    windows = windows_of([source.client_id])
    for position, incoming in zip(positions, parsed.alerts, strict=False):
        where = f"alerts[{position}]" if kind == "alertmanager" else f"[{position}]"
        try:
            asset = _asset(source, incoming, where)
            with transaction.atomic():
                _apply(source, incoming, asset, windows, now)
            accepted += 1
        except IntakeError as error:
            errors.append(error)
    WebhookSource.objects.filter(pk=source.pk).update(last_used_at=now)
    errors.sort(key=lambda e: (_position(e.field), e.field))
    return IntakeAnswer(accepted, errors)


def _position(field: str) -> int:
    found = POSITION.match(field)
    return int(found.group(1)) if found else 0


def _asset(source: WebhookSource, incoming: IncomingAlert, where: str) -> Asset | None:
    """The asset the alert names, among the source's client's assets only."""
    client = source.client
    if incoming.client is not None and incoming.client not in (client.code, str(client.pk)):
        raise IntakeError(f"{where}.client", f"{incoming.client!r} is not this source's client")
    names = [incoming.asset] if incoming.asset else []
    for label in source.asset_labels or ASSET_LABELS:
        value = incoming.labels.get(label)
        if value:
            names.append(value.rsplit(":", 1)[0] if label == "instance" else value)
    assets = Asset.objects.filter(client=client)
    for name in names:
        found = assets.filter(Q(name=name) | Q(hostname=name) | Q(key=name)).order_by("pk")
        hit = found.first()
        if hit is not None:
            return hit
    return None


def _apply(
    source: WebhookSource,
    incoming: IncomingAlert,
    asset: Asset | None,
    windows: Sequence[maintenance.MaintenanceWindow],
    now: datetime,
) -> None:
    key = f"src{source.pk}/{incoming.key}"[:300]
    alert = Alert.objects.select_for_update().filter(key=key).first()
    asset_key = None if asset is None else str(asset.pk)
    moment = incoming.at
    covering = maintenance.between(windows, str(source.client_id), asset_key, moment, now + TINY)
    previous = None if alert is None else alert_state.state_of(alert, key, None)
    state, found = apply_incoming(incoming, previous, now, covering)
    if alert is None:
        alert = Alert(
            client_id=source.client_id,
            source=AlertSource.WEBHOOK,
            webhook_source=source,
            rule_id=incoming.source,
            key=key,
            identity=incoming.key[:300],
            created_at=now,
        )
    alert.asset = asset
    alert.severity = incoming.severity.value
    alert.labels = dict(incoming.labels)
    alert.description = incoming.description
    if not alert.summary:
        alert.summary = incoming.summary[:500]
    alert_state.put_state(alert, state)
    alert.updated_at = now
    alert.save()

    def title(t: Transition) -> str:
        about = f"{incoming.summary} on {asset.name}" if asset is not None else incoming.summary
        return about if t.kind.value == "firing" else f"resolved: {about}"

    if found:
        alert_state.record(alert, found, now, title, incoming.description or incoming.summary)
        alert.save()
