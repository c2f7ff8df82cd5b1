"""Storing an ingest batch from a collector or agent (docs/ingest.md, ``POST /api/v1/ingest``).

``ingest`` runs in one transaction:

1. record the batch id (unique per collector): a batch sent again stops here as a duplicate,
   and because the record and the writes commit together, a batch is never half stored;
2. upsert the assets it reports (by key, within the collector's client);
3. store the facts, the check results (moving each check's state) and the samples.

Items that name something the sender may not use (another collector's check, an unknown asset
key) are reported as errors and the rest is kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any, cast

from django.db import IntegrityError, transaction

from steward.monitoring.choices import AssetSource, CollectorKind
from steward.monitoring.models import (
    Asset,
    AssetFact,
    Check,
    CheckResult,
    CheckState,
    Collector,
    IngestBatch,
)
from steward.monitoring.services.batch import (
    AssetItem,
    Batch,
    FactItem,
    ResultItem,
    SeriesItem,
)
from steward.monitoring.services.samples import (
    SeriesRef,
    resolve_series,
    series_cache,
    write_samples,
)
from steward.monitoring.signals import check_state_changed

SECTIONS = ("results", "samples", "assets", "facts")


@dataclass
class IngestAnswer:
    batch_id: str
    duplicate: bool
    accepted: dict[str, int]
    errors: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "batch_id": self.batch_id,
            "duplicate": self.duplicate,
            "accepted": self.accepted,
            "errors": self.errors,
        }


def ingest(collector: Collector, batch: Batch, now: datetime) -> IngestAnswer:
    """Store ``batch`` (already checked by ``validate_batch``) for ``collector``."""
    errors = list(batch.errors)
    if collector.kind == CollectorKind.AGENT:
        own = collector.asset.key if collector.asset is not None else None
        confine_agent(batch, own, errors)
    elif collector.client_id is None:
        confine(batch, None, HOSTED_NO_ASSETS, errors)
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IngestBatch.objects.create(
                    collector=collector, batch_id=batch.batch_id, received_at=now
                )
        except IntegrityError:
            return _duplicate(collector, batch.batch_id)
        asset_ids = upsert_assets(collector, batch.assets, now)
        asset_ids |= _known_assets(collector, batch, asset_ids)
        accepted = {
            "results": store_results(collector, batch.results, errors),
            "samples": store_series(collector, batch.series, asset_ids, errors),
            "assets": len(batch.assets),
            "facts": store_facts(batch.facts, asset_ids, errors),
        }
        IngestBatch.objects.filter(pk=record.pk).update(counts=accepted)
        Collector.objects.filter(pk=collector.pk).update(last_seen_at=now)
    return IngestAnswer(batch.batch_id, False, accepted, errors)


NOT_ITS_ASSET = "asset: an agent reports only about the asset it runs on ({own})"
HOSTED_NO_ASSETS = "asset: a hosted collector belongs to no client and reports no assets"


def confine_agent(batch: Batch, own: str | None, errors: list[Any]) -> None:
    """Drop (as errors) what an agent says about any asset but its own: its first reported
    asset, or the one it is bound to. A stolen agent token cannot speak for other machines."""
    if own is None and batch.assets:
        own = batch.assets[0].key
    confine(batch, own, NOT_ITS_ASSET.format(own=own or "none reported yet"), errors)


def confine(batch: Batch, own: str | None, msg: str, errors: list[Any]) -> None:
    """Keep only what ``batch`` says about the asset ``own`` (or no asset at all when None);
    the rest becomes errors reading ``msg``."""
    kept_assets = []
    for item in batch.assets:
        if item.key == own:
            kept_assets.append(item)
        else:
            errors.append({"loc": ["assets", item.index, "key"], "msg": msg})
    kept_series = []
    for series in batch.series:
        if series.asset is None or series.asset == own:
            kept_series.append(series)
        else:
            errors.append({"loc": ["series", series.index, "asset"], "msg": msg})
    kept_facts = []
    for fact in batch.facts:
        if fact.asset == own:
            kept_facts.append(fact)
        else:
            errors.append({"loc": ["facts", fact.index, "asset"], "msg": msg})
    batch.assets, batch.series, batch.facts = kept_assets, kept_series, kept_facts


def _duplicate(collector: Collector, batch_id: str) -> IngestAnswer:
    first = IngestBatch.objects.filter(collector=collector, batch_id=batch_id).first()
    counts = first.counts if first is not None else {}
    return IngestAnswer(batch_id, True, {name: counts.get(name, 0) for name in SECTIONS})


# --- Assets and facts ---------------------------------------------------------------------------


def upsert_assets(
    collector: Collector, items: Sequence[AssetItem], now: datetime
) -> dict[str, int]:
    """Create or update the reported assets; returns their ids by key.

    Only changed inventory is saved (and audited); ``last_seen_at`` moves without an audit
    entry, since a sender reports its assets every few minutes.
    """
    if not items:
        return {}
    existing = {
        a.key: a
        for a in Asset.objects.filter(client=collector.client_id, key__in=[i.key for i in items])
    }
    source = AssetSource.AGENT if collector.kind == CollectorKind.AGENT else AssetSource.COLLECTOR
    for item in items:
        asset = existing.get(item.key)
        if asset is None:
            asset, created = _new_asset(collector, item, source, now)
            existing[item.key] = asset
            if created:
                continue
        changed = [name for name, value in item.fields.items() if getattr(asset, name) != value]
        if "name" in changed and not item.fields["name"]:
            changed.remove("name")  # a sender cannot blank an asset's name
        for name in changed:
            setattr(asset, name, item.fields[name])
        if changed:
            asset.save(update_fields=changed)
    Asset.objects.filter(pk__in=[a.pk for a in existing.values()]).update(last_seen_at=now)
    if collector.kind == CollectorKind.AGENT and collector.asset_id is None:
        first = existing[items[0].key]
        Collector.objects.filter(pk=collector.pk, asset__isnull=True).update(asset=first)
        collector.asset_id = first.pk
    return {key: asset.pk for key, asset in existing.items()}


def _new_asset(
    collector: Collector, item: AssetItem, source: str, now: datetime
) -> tuple[Asset, bool]:
    """The asset created for ``item``, or the one another batch created meanwhile (on
    PostgreSQL; SQLite serialises writers) with False."""
    fields = dict(item.fields)
    fields["name"] = fields.get("name") or fields.get("hostname") or item.key
    assert collector.client_id is not None  # hosted collectors' assets were confined away
    asset = Asset(
        client_id=collector.client_id,
        site_id=collector.site_id,
        key=item.key,
        source=source,
        last_seen_at=now,
        **fields,
    )
    try:
        with transaction.atomic():
            asset.save()
    except IntegrityError:
        return Asset.objects.get(client=collector.client_id, key=item.key), False
    return asset, True


def _known_assets(collector: Collector, batch: Batch, reported: dict[str, int]) -> dict[str, int]:
    """Ids of the assets that series and facts name without reporting them in this batch."""
    keys = {s.asset for s in batch.series if s.asset} | {f.asset for f in batch.facts}
    keys -= reported.keys()
    if not keys:
        return {}
    rows = Asset.objects.filter(client=collector.client_id, key__in=keys).values_list("key", "pk")
    return dict(rows)


UNKNOWN_ASSET = "asset: no asset of this sender's client has this key (report it in `assets`)"


def store_facts(items: Sequence[FactItem], asset_ids: dict[str, int], errors: list[Any]) -> int:
    """Keep the latest fact per (asset, name); an older report never replaces a newer one."""
    latest: dict[tuple[int, str], FactItem] = {}
    for item in items:
        asset_id = asset_ids.get(item.asset)
        if asset_id is None:
            errors.append({"loc": ["facts", item.index, "asset"], "msg": UNKNOWN_ASSET})
            continue
        seen = latest.get((asset_id, item.name))
        if seen is None or item.at >= seen.at:
            latest[(asset_id, item.name)] = item
    if not latest:
        return 0
    stored = {
        (f.asset_id, f.name): f
        for f in AssetFact.objects.filter(
            asset_id__in={a for a, _ in latest}, name__in={n for _, n in latest}
        )
    }
    new, changed = [], []
    for (asset_id, name), item in latest.items():
        values = {"value": item.value, "status": item.status, "detail": item.detail, "at": item.at}
        fact = stored.get((asset_id, name))
        if fact is None:
            new.append(AssetFact(asset_id=asset_id, name=name, **values))
        elif item.at >= fact.at:
            for attr, value in values.items():
                setattr(fact, attr, value)
            changed.append(fact)
    AssetFact.objects.bulk_create(new)
    AssetFact.objects.bulk_update(changed, ["value", "status", "detail", "at"])
    return sum(1 for item in items if item.asset in asset_ids)


# --- Check results ------------------------------------------------------------------------------

NOT_YOURS = "check_id: no check of this collector has this id"


def store_results(
    collector: Collector, items: Sequence[tuple[int, ResultItem]], errors: list[Any]
) -> int:
    """Append the results and move each check's state (``since`` changes with the state)."""
    if not items:
        return 0
    ids = {item.check_id for _, item in items}
    mine = set(Check.objects.filter(collector=collector, pk__in=ids).values_list("pk", flat=True))
    kept: list[ResultItem] = []
    for index, item in items:
        if item.check_id in mine:
            kept.append(item)
        else:
            errors.append({"loc": ["results", index, "check_id"], "msg": NOT_YOURS})
    CheckResult.objects.bulk_create(
        [
            CheckResult(
                of_check_id=r.check_id,
                at=r.at,
                state=r.state,
                summary=r.summary,
                duration_ms=r.duration_ms,
            )
            for r in kept
        ],
        batch_size=1000,
    )
    _move_states(kept)
    return len(kept)


def _move_states(results: Sequence[ResultItem]) -> None:
    """Walk each check's new results in time order from its stored state; results older than
    the last one stored (a replay from a sender's buffer) are history only."""
    by_check: dict[int, list[ResultItem]] = {}
    for r in sorted(results, key=lambda r: r.at):
        by_check.setdefault(r.check_id, []).append(r)
    states = {s.of_check_id: s for s in CheckState.objects.filter(of_check_id__in=by_check)}
    new, changed, moves = [], [], []
    for check_id, runs in by_check.items():
        state = states.get(check_id)
        before = state.state if state is not None else None
        for r in runs:
            if state is None:
                state = CheckState(
                    of_check_id=check_id, state=r.state, since=r.at, last_result_at=r.at
                )
                new.append(state)
            elif r.at < state.last_result_at:
                continue
            elif r.state != state.state:
                state.state, state.since = r.state, r.at
            state.last_result_at, state.summary = r.at, r.summary
        if state is not None and state not in new:
            changed.append(state)
        if state is not None and state.state != before:
            moves.append((check_id, before, state.state, state.since))
    CheckState.objects.bulk_create(new)
    CheckState.objects.bulk_update(changed, ["state", "since", "last_result_at", "summary"])
    for check_id, old, new_state, since in moves:
        announce = partial(
            check_state_changed.send, sender=CheckState, check_id=check_id, old=old, new=new_state
        )
        transaction.on_commit(partial(announce, at=since))


# --- Series and samples -------------------------------------------------------------------------


def _add_rows(rows: list[tuple[int, int, float]], series_id: int, points: list[list[Any]]) -> None:
    add = rows.append
    for seconds, value in points:
        # Milliseconds, a whole number: (series, ts) is an exact key.
        add((series_id, int(seconds * 1000), value if type(value) is float else float(value)))


def store_series(
    collector: Collector,
    items: Sequence[SeriesItem],
    asset_ids: dict[str, int],
    errors: list[Any],
) -> int:
    """Resolve every series the batch names and write its points; returns the points kept."""
    if not items:
        return 0
    check_ids = {s.check_id for s in items if s.check_id is not None}
    # A check's series belong to the check's client: a hosted collector runs many clients'.
    mine: dict[int, int] = {}
    if check_ids:
        mine = dict(
            Check.objects.filter(collector=collector, pk__in=check_ids).values_list(
                "pk", "client_id"
            )
        )
    # Series the cache knows get their rows at once; the others after one resolve_series.
    known = series_cache.view()
    pending: list[tuple[SeriesRef, SeriesItem]] = []
    rows: list[tuple[int, int, float]] = []
    for item in items:
        if item.check_id is not None:
            if item.check_id not in mine:
                errors.append({"loc": ["series", item.index, "check_id"], "msg": NOT_YOURS})
                continue
            owner, client_id = ("check", item.check_id), mine[item.check_id]
        else:
            asset_id = asset_ids.get(item.asset or "")
            if asset_id is None:
                errors.append({"loc": ["series", item.index, "asset"], "msg": UNKNOWN_ASSET})
                continue
            # Hosted collectors' asset series were confined away: this sender has a client.
            owner, client_id = ("asset", asset_id), cast(int, collector.client_id)
        ref = (client_id, owner, item.metric, item.labels)
        series_id = known.get(ref)
        if series_id is None:
            pending.append((ref, item))
        else:
            _add_rows(rows, series_id, item.points)
    if pending:
        ids = resolve_series([ref for ref, _ in pending])
        for ref, item in pending:
            _add_rows(rows, ids[ref], item.points)
    write_samples(rows)
    return len(rows)
