"""Alert rows and the engine's ``AlertState``: reading the state of a key, writing it back, and
recording transitions (history rows, the alert's visible fields, tickets for told ones).

Both paths, Steward's own rules (``alerting``) and other tools' alerts (``alert_intake``), end
here, so an alert behaves the same whatever raised it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from functools import partial
from typing import Any

from django.db import transaction

from steward.core import audit
from steward.core.choices import AuditAction
from steward.monitoring.choices import AlertEventKind, AlertPhase
from steward.monitoring.models import Alert, AlertEvent
from steward.monitoring.rules.model import (
    AlertState,
    Forecast,
    Phase,
    Suppression,
    Transition,
    TransitionKind,
)
from steward.monitoring.services import alert_tickets
from steward.monitoring.signals import alert_changed

TOLD = {TransitionKind.FIRING: "fired", TransitionKind.RESOLVED: "resolved"}

Title = Callable[[Transition], str]


def state_of(alert: Alert | None, key: str, watermark: datetime | None) -> AlertState:
    """The stored state of ``key``; without a row, a quiet state evaluated at ``watermark``.
    Every key of a client is evaluated each cycle, so a row's own ``evaluated_at`` is never
    older than the cycle's watermark (rows are written only when they change)."""
    if alert is None:
        return AlertState(key=key, evaluated_at=watermark)
    evaluated = alert.evaluated_at
    if watermark is not None and (evaluated is None or evaluated < watermark):
        evaluated = watermark
    return AlertState(
        key=key,
        phase=Phase(alert.phase),
        pending_since=alert.pending_since,
        firing_since=alert.firing_since,
        evaluated_at=evaluated,
        notified=Phase(alert.notified),
        changes=tuple(datetime.fromisoformat(c) for c in alert.changes),
        flapping_since=alert.flapping_since,
        suppressed=Suppression(alert.suppressed) if alert.suppressed else None,
        value=alert.value,
        forecast=_forecast(alert.forecast),
        next_evaluation_at=alert.next_evaluation_at,
    )


def put_state(alert: Alert, state: AlertState) -> None:
    """Copy ``state`` into the row's fields (the caller saves)."""
    alert.phase = state.phase.value
    alert.pending_since = state.pending_since
    alert.firing_since = state.firing_since
    alert.evaluated_at = state.evaluated_at
    alert.notified = state.notified.value
    alert.changes = [c.isoformat() for c in state.changes]
    alert.flapping_since = state.flapping_since
    alert.suppressed = state.suppressed.value if state.suppressed else ""
    if state.value is not None:
        alert.value = state.value
    alert.forecast = _forecast_json(state.forecast)
    fit = state.forecast
    alert.forecast_crossing_at = fit.crossing_at if fit is not None else None
    alert.next_evaluation_at = state.next_evaluation_at


def record(
    alert: Alert,
    transitions: Sequence[Transition],
    now: datetime,
    title: Title,
    description: str = "",
) -> None:
    """History rows for ``transitions`` (in order), the alert's visible fields, and for the
    told ones a ticket opened or resolved. The alert row must be saved (it needs its id)."""
    events = []
    for found in transitions:
        text = title(found)
        if found.kind is TransitionKind.FIRING:
            alert.started_at, alert.resolved_at = found.at, None
            alert.summary = text[:500]
            alert.acknowledged_at, alert.acknowledged_by = None, None
        elif found.kind in (TransitionKind.RESOLVED, TransitionKind.CANCELLED):
            alert.resolved_at = found.at
        if found.kind in (TransitionKind.FIRING, TransitionKind.PENDING):
            alert.severity = found.severity.value
        if found.notify:
            alert_tickets.tell(alert, found, text, description)
            if found.kind in TOLD:
                send = partial(alert_changed.send, sender=Alert, alert_id=alert.pk)
                transaction.on_commit(partial(send, kind=TOLD[found.kind], at=found.at))
        events.append(
            AlertEvent(
                alert=alert,
                kind=AlertEventKind(found.kind.value),
                at=found.at,
                reason=found.reason,
                suppressed=found.suppressed.value if found.suppressed else "",
                told=found.notify,
                value=found.value,
                recorded_at=now,
            )
        )
    AlertEvent.objects.bulk_create(events)
    if not alert.summary and transitions:
        alert.summary = title(transitions[-1])[:500]


def is_open(alert: Alert) -> bool:
    return alert.phase != AlertPhase.OK


def _forecast(data: Any) -> Forecast | None:
    if not data:
        return None
    crossing = data.get("crossing_at")
    return Forecast(
        computed_at=datetime.fromisoformat(data["computed_at"]),
        slope_per_second=float(data["slope_per_second"]),
        value_now=float(data["value_now"]),
        crossing_at=datetime.fromisoformat(crossing) if crossing else None,
        points=int(data["points"]),
        span_seconds=float(data["span_seconds"]),
    )


def _forecast_json(fit: Forecast | None) -> dict[str, Any] | None:
    if fit is None:
        return None
    return {
        "computed_at": fit.computed_at.isoformat(),
        "slope_per_second": fit.slope_per_second,
        "value_now": fit.value_now,
        "crossing_at": fit.crossing_at.isoformat() if fit.crossing_at else None,
        "points": fit.points,
        "span_seconds": fit.span_seconds,
    }


def acknowledge(alert: Alert, user: Any, note: str, now: datetime) -> Alert:
    """Someone is on it: recorded on the alert and in its history (the note as the reason)."""
    with transaction.atomic():
        alert.acknowledged_at, alert.acknowledged_by = now, user
        alert.save(update_fields=["acknowledged_at", "acknowledged_by"])
        audit.record(
            AuditAction.UPDATE,
            object_type=alert._meta.label_lower,
            object_id=str(alert.pk),
            object_repr=str(alert)[:200],
            client_id=alert.client_id,
            after={"acknowledged_at": now.isoformat(), "note": note},
        )
        AlertEvent.objects.create(
            alert=alert,
            kind=AlertEventKind.ACKNOWLEDGED,
            at=now,
            reason=note,
            actor=user,
            recorded_at=now,
        )
    return alert
