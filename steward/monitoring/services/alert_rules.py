"""Alert rule rows (overrides and extra rules) to the engine's rules, and their verbs.

An override row changes a default rule by id (``rules.defaults.Override``); an extra row is a
whole rule of its own (``kind``, ``metric``, ``match_labels``, ``comparison``, …). Scope, from
the least specific: global (no client, no asset), a client, an asset. Every change is checked by
building the rules it yields, so a bad row is refused naming its field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from steward.core.validation import save_validated
from steward.monitoring.models import AlertRule, Asset
from steward.monitoring.rules.defaults import (
    DEFAULT_RULES,
    KNOWN_IDS,
    Override,
    effective_rules,
)
from steward.monitoring.rules.model import (
    Comparison,
    Matcher,
    MatchOp,
    Rule,
    RuleError,
    RuleKind,
    Selector,
    Severity,
)
from steward.tenancy.models import Client

OVERRIDE_FIELDS = (
    "threshold",
    "recovery_threshold",
    "for_seconds",
    "window_seconds",
    "horizon_seconds",
)


def override_of(row: AlertRule) -> Override:
    values = {name: getattr(row, name) for name in OVERRIDE_FIELDS}
    return Override(
        rule_id=row.rule_id,
        enabled=row.enabled,
        severity=Severity(row.severity) if row.severity else None,
        **values,
    )


def extra_rule(row: AlertRule) -> Rule:
    """The rule an extra row defines (raises ``RuleError`` naming the field)."""
    if not row.metric:
        raise RuleError("metric", "an extra rule needs the metric it watches")
    if not isinstance(row.match_labels, dict) or not all(
        isinstance(v, str) for v in row.match_labels.values()
    ):
        raise RuleError("match_labels", "must be an object of label names to texts")
    matchers = tuple(Matcher(k, MatchOp.EQ, v) for k, v in sorted(row.match_labels.items()))
    options: dict[str, Any] = {
        name: getattr(row, name) for name in OVERRIDE_FIELDS if getattr(row, name) is not None
    }
    if row.comparison:
        options["comparison"] = Comparison(row.comparison)
    return Rule(
        id=row.rule_id,
        kind=RuleKind(row.kind),
        selector=Selector(row.metric, matchers),
        severity=Severity(row.severity or Severity.WARNING),
        summary=row.summary,
        enabled=row.enabled,
        **options,
    )


@dataclass
class RuleBook:
    """The rule rows that concern one client, and the effective rules per asset (cached by asset
    type for assets without rows of their own)."""

    client_rows: list[AlertRule]
    asset_rows: dict[int, list[AlertRule]]
    _cache: dict[tuple[str, int | None], tuple[Rule, ...]] = field(default_factory=dict)

    def rules_for(self, asset_id: int | None, kind: str) -> tuple[Rule, ...]:
        own = self.asset_rows.get(asset_id or 0, [])
        cache_key = (kind, asset_id if own else None)
        if cache_key not in self._cache:
            self._cache[cache_key] = _effective(kind, self.client_rows, own)
        return self._cache[cache_key]


def rule_book(client: Client | int) -> RuleBook:
    client_id = client if isinstance(client, int) else client.pk
    rows = list(
        AlertRule.objects.filter(
            Q(client__isnull=True, asset__isnull=True) | Q(client_id=client_id)
        ).order_by("client_id", "pk")
    )
    # Global rows first (their client is NULL), so the client's own rows win.
    rows.sort(key=lambda r: (r.client_id is not None, r.pk))
    asset_rows: dict[int, list[AlertRule]] = {}
    for row in rows:
        if row.asset_id is not None:
            asset_rows.setdefault(row.asset_id, []).append(row)
    return RuleBook([r for r in rows if r.asset_id is None], asset_rows)


def _effective(
    kind: str, client_rows: Sequence[AlertRule], asset_rows: Sequence[AlertRule]
) -> tuple[Rule, ...]:
    if kind not in DEFAULT_RULES:
        kind = "other"
    base = effective_rules(
        kind,
        [override_of(r) for r in client_rows if not r.is_extra],
        [override_of(r) for r in asset_rows if not r.is_extra],
    )
    extras = {r.rule_id: extra_rule(r) for r in (*client_rows, *asset_rows) if r.is_extra}
    return (*base, *(rule for rule in extras.values() if rule.enabled))


# --- Verbs ----------------------------------------------------------------------------------------


def _check(row: AlertRule) -> None:
    """Refuse a row that names an unknown rule or yields an invalid one, naming the field."""
    row.full_clean()
    asset = row.asset
    if asset is not None and asset.client_id != row.client_id:
        raise ValidationError({"asset_id": "the asset belongs to another client"})
    try:
        if row.is_extra:
            if row.rule_id in KNOWN_IDS:
                raise RuleError("rule_id", f"{row.rule_id!r} is a default rule: override it")
            extra_rule(row)
            return
        if row.rule_id not in KNOWN_IDS:
            known = ", ".join(sorted(KNOWN_IDS))
            raise RuleError("rule_id", f"no default rule {row.rule_id!r} (known: {known})")
        kinds = [k for k, rules in DEFAULT_RULES.items() if any(r.id == row.rule_id for r in rules)]
        if asset is not None:
            kinds = [asset.kind] if asset.kind in kinds else []
        for kind in kinds:
            effective_rules(kind, [override_of(row)])
    except RuleError as error:
        name = error.field.rsplit(".", 1)[-1]
        raise ValidationError({name: error.reason}) from None


def create_rule(client: Client | None, asset: Asset | None, **fields: Any) -> AlertRule:
    """An override or extra rule for ``asset`` (its client implied), ``client``, or every
    client (neither)."""
    if asset is not None and client is None:
        client = asset.client
    row = AlertRule(client=client, asset=asset, **fields)
    _check(row)
    return save_validated(row)


def update_rule(row: AlertRule, changes: Mapping[str, Any]) -> AlertRule:
    for name, value in changes.items():
        setattr(row, name, value)
    _check(row)
    return save_validated(row)


def delete_rule(row: AlertRule) -> None:
    with transaction.atomic():
        row.delete()


def matching(rules: Iterable[Rule], metric: str, labels: Mapping[str, str]) -> list[Rule]:
    return [rule for rule in rules if rule.selector.matches(metric, labels)]
