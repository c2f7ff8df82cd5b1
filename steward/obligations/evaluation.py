"""Evaluating obligations: run the measure, judge the value, store the result per period.

History rule: an evaluation made after its period closed is *final* and is never recomputed
unless the caller passes ``recompute_closed=True`` (an audited, deliberate act). Evaluations of
an open period are provisional and are overwritten by each run; the first run after the period
closes makes them final. Stored rows copy the target, comparator, margin and the measure's
inputs, so changing an obligation or a policy later never changes what a closed period says.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction

from steward.core.audit import record
from steward.core.choices import AuditAction
from steward.obligations.choices import PeriodKind
from steward.obligations.judging import as_decimal, judge
from steward.obligations.models import Evaluation, Obligation
from steward.obligations.periods import Period
from steward.obligations.registry import MeasureParamsError, MeasureResult, UnknownMeasure, registry

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
_UPDATED_FIELDS = [
    "value", "status", "comparator", "target", "at_risk_margin", "unit", "measure_key",
    "inputs", "evidence", "note", "final", "evaluated_at", "client", "period_start",
]  # fmt: skip


@dataclass
class EvaluationRun:
    """What a run did: rows created, updated, kept (final, not recomputed) and measure errors."""

    created: int = 0
    updated: int = 0
    kept: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.kept


def _measure(obligation: Obligation, period: Period) -> tuple[MeasureResult, str, dict[str, Any]]:
    """Run the obligation's measure; a broken or unknown measure becomes "no data" with why."""
    try:
        item = registry.get(obligation.measure_key)
        params = item.resolve_params(obligation.params)
    except (UnknownMeasure, MeasureParamsError) as exc:
        return MeasureResult(None, note=str(exc)), "", dict(obligation.params)
    try:
        return item(obligation.counterparty, period, params), item.unit, params
    except Exception as exc:
        # One failing measure must not stop the scorecards of every other client; the error is
        # stored on the row and reported by the run.
        log.exception("measure %s failed for obligation %s", item.key, obligation.pk)
        return MeasureResult(None, note=f"The measure failed: {exc!r}"), item.unit, params


def compute(obligation: Obligation, period: Period, now: datetime) -> Evaluation:
    """An unsaved Evaluation of ``obligation`` for ``period`` (already of the obligation's kind)."""
    result, unit, params = _measure(obligation, period)
    closed = period.is_closed(now, obligation.timezone)
    value = as_decimal(result.value)
    status = judge(
        value,
        obligation.comparator,
        obligation.target,
        obligation.at_risk_margin,
        provisional=not (closed or result.final),
    )
    return Evaluation(
        obligation=obligation,
        client_id=obligation.client_id,
        period=period.key,
        period_start=period.start,
        value=None if value is None else round(value, 4),
        status=status,
        comparator=obligation.comparator,
        target=obligation.target,
        at_risk_margin=obligation.at_risk_margin,
        unit=unit,
        measure_key=obligation.measure_key,
        inputs={"params": params, **result.inputs},
        evidence=[e.as_dict() for e in result.evidence],
        note=result.note,
        final=closed,
        evaluated_at=now,
    )


def _copy_onto(target: Evaluation, fresh: Evaluation) -> Evaluation:
    for name in _UPDATED_FIELDS:
        setattr(target, name, getattr(fresh, name))
    return target


def _audit_recompute(period_key: str, count: int) -> None:
    record(
        AuditAction.UPDATE,
        object_type="obligations.evaluation",
        object_repr=f"recomputed {count} closed evaluation(s) of {period_key}",
        after={"period": period_key, "recomputed_closed": count},
    )


def evaluate(
    obligation: Obligation, period: Period, now: datetime, *, recompute_closed: bool = False
) -> Evaluation:
    """Evaluate one obligation for the period of its kind matching ``period``; store and return
    the row (the stored final row, untouched, when the period is closed and already final)."""
    period = obligation.period_for(period)
    existing = Evaluation.objects.filter(obligation=obligation, period=period.key).first()
    if existing is not None and existing.final and not recompute_closed:
        return existing
    fresh = compute(obligation, period, now)
    with transaction.atomic():
        if existing is None:
            fresh.save()
            return fresh
        if existing.final:
            _audit_recompute(period.key, 1)
        _copy_onto(existing, fresh).save()
    return existing


def periods_of(obligation: Obligation, period: Period) -> list[Period]:
    """The obligation's periods inside ``period``: a quarter's three months for a monthly
    obligation, the containing quarter for a quarterly one."""
    if obligation.period_kind == PeriodKind.MONTHLY:
        return period.months()
    return [period.as_kind(PeriodKind.QUARTERLY)]


def evaluate_all(
    period: Period,
    now: datetime,
    *,
    clients: Iterable[Any] | None = None,
    progress: Progress | None = None,
    recompute_closed: bool = False,
) -> EvaluationRun:
    """Evaluate every active obligation (of ``clients``, or all, vendor programs included).

    1. Load the obligations with their counterparties, and the stored rows of the periods, in
       two queries.
    2. Run each measure (outside any transaction: measures only read).
    3. Write new and changed rows with one upsert per 500 rows.
    """
    obligations = Obligation.objects.filter(active=True).select_related("client", "vendor_program")
    if clients is not None:
        obligations = obligations.filter(client__in=list(clients))
    work = [
        (ob, p) for ob in obligations.order_by("client_id", "pk") for p in periods_of(ob, period)
    ]
    keys = {p.key for _, p in work}
    stored = {
        (e.obligation_id, e.period): e
        for e in Evaluation.objects.filter(
            period__in=keys, obligation__in=[ob.pk for ob, _ in work]
        )
    }
    run, fresh_rows, recomputed = EvaluationRun(), [], 0
    for done, (obligation, p) in enumerate(work, start=1):
        existing = stored.get((obligation.pk, p.key))
        if existing is not None and existing.final and not recompute_closed:
            run.kept += 1
        else:
            fresh = compute(obligation, p, now)
            if fresh.note.startswith("The measure failed"):
                run.errors.append(f"{obligation}: {fresh.note}")
            fresh_rows.append(fresh)
            if existing is None:
                run.created += 1
            else:
                run.updated += 1
                recomputed += existing.final
        if progress is not None:
            progress(done, len(work))
    with transaction.atomic():
        _upsert(fresh_rows)
        if recomputed:
            _audit_recompute(period.key, recomputed)
    return run


def _upsert(rows: list[Evaluation]) -> None:
    """Insert or overwrite by (obligation, period) in one statement per batch: INSERT … ON
    CONFLICT DO UPDATE on SQLite and PostgreSQL (Django's bulk_update builds a CASE per field
    and row, ten times slower here)."""
    Evaluation.objects.bulk_create(
        rows,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["obligation", "period"],
        update_fields=_UPDATED_FIELDS,
    )
