"""Incoming alerts onto the alert path: the same state, dedup, flapping and maintenance as
Steward's own rules, with the source's status taken as it is (no ``for``, no pending).

A firing alert that is already firing changes nothing (Alertmanager repeats firing alerts
every ``repeat_interval``); a resolved one that is not firing is ignored. A change is placed at
the source's instant, but never before the alert's previous change (clocks of other machines
drift, and a late "resolved" must not precede the firing it ends).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from steward.monitoring.rules import policy
from steward.monitoring.rules.machine import RawEvent
from steward.monitoring.rules.model import (
    AlertState,
    FlapSettings,
    Occurrence,
    Phase,
    Rule,
    RuleKind,
    Selector,
    Transition,
    TransitionKind,
    to_seconds,
)

from .model import IncomingAlert, IncomingStatus


def apply_incoming(
    alert: IncomingAlert,
    previous: AlertState | None,
    now: datetime,
    maintenance: Sequence[Occurrence] = (),
    flap: FlapSettings = FlapSettings(),  # noqa: B008 - frozen, so one shared default is safe
    scope: str = "",
) -> tuple[AlertState, list[Transition]]:
    """The new state of ``alert``'s key and the transitions (``notify``: open or resolve the
    ticket). ``scope`` prefixes the key (e.g. ``token:12/``) so that sources cannot collide;
    ``maintenance`` lists the occurrences covering the alert's asset around ``alert.at``."""
    prior = previous or AlertState(key=f"{scope}{alert.key}")
    rule = Rule(
        id=alert.source,
        kind=RuleKind.THRESHOLD,
        selector=Selector(alert.source),
        severity=alert.severity,
        flap=flap,
    )
    moments = [m for m in (prior.firing_since, *prior.changes[-1:]) if m is not None]
    at = max([alert.at, *moments])
    events: list[RawEvent] = []
    firing_since = prior.firing_since
    if alert.status is IncomingStatus.FIRING and prior.phase is not Phase.FIRING:
        events.append(RawEvent(TransitionKind.FIRING, to_seconds(at), None))
        firing_since = at
    elif alert.status is IncomingStatus.RESOLVED and prior.phase is Phase.FIRING:
        events.append(RawEvent(TransitionKind.RESOLVED, to_seconds(at), None))
        firing_since = None

    def describe(kind: TransitionKind, value: float | None) -> str:
        return alert.summary if kind is TransitionKind.FIRING else f"resolved: {alert.summary}"

    result = policy.apply(rule, prior, events, now, maintenance, describe=describe)
    phase = Phase.FIRING if firing_since is not None else Phase.OK
    state = AlertState(
        key=prior.key,
        phase=phase,
        pending_since=firing_since,
        firing_since=firing_since,
        evaluated_at=now,
        notified=result.notified,
        changes=result.changes,
        flapping_since=result.flapping_since,
        suppressed=result.suppressed,
        next_evaluation_at=result.deadline,
    )
    return state, result.transitions
