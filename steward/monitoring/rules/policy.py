"""What the world hears of an alert: flap detection, maintenance suppression, notification.

The machine (``machine.py``) says what happened; this module decides which of it is told.

Flap detection counts firing/resolved changes in a sliding window (not Nagios' weighted
percent state change over the last 21 checks): an alert with more than ``max_changes`` changes
within ``window_seconds`` flaps, and stops flapping once ``stable_seconds`` pass without a
change. A count over wall-clock time does not depend on how often samples arrive, and keeping
the last ``max_changes + 1`` change instants is enough to decide it.

Steps, per raw event in order:

1. A flapping alert whose last change is ``stable_seconds`` old becomes stable (transition
   ``stable`` at that instant), and the world is told the phase it missed (catch-up).
2. A firing/resolved event is a change: remembered; if it tips the count, flapping starts.
3. The event is suppressed when a maintenance occurrence covers its instant, or while flapping.
   Unsuppressed firing tells the world only if it believed ``ok``; resolved only if it
   believed ``firing`` (no "resolved" for an alert nobody heard of).

After the events, step 1 runs at ``now``, then a catch-up at ``now`` if no suppression is in
force and the world's belief differs from the phase (maintenance ended with the alert firing).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from .describe import reason
from .machine import RawEvent
from .model import (
    AlertState,
    Forecast,
    Occurrence,
    Phase,
    Rule,
    Suppression,
    Transition,
    TransitionKind,
    to_datetime,
)

CHANGE_KINDS = (TransitionKind.FIRING, TransitionKind.RESOLVED)
Describe = Callable[[TransitionKind, float | None], str]


@dataclass(frozen=True)
class PolicyResult:
    notified: Phase
    changes: tuple[datetime, ...]
    flapping_since: datetime | None
    suppressed: Suppression | None
    transitions: list[Transition]
    deadline: datetime | None


@dataclass
class _Walk:
    """Mutable scratch state of one policy run (kept local to ``apply``)."""

    rule: Rule
    key: str
    maintenance: Sequence[Occurrence]
    forecast: Forecast | None
    phase: Phase
    notified: Phase
    changes: tuple[datetime, ...]
    flapping_since: datetime | None
    out: list[Transition]
    describe: Describe | None = None

    def emit(
        self,
        kind: TransitionKind,
        at: datetime,
        text: str,
        *,
        value: float | None = None,
        suppressed: Suppression | None = None,
        notify: bool = False,
    ) -> None:
        self.out.append(
            Transition(
                key=self.key,
                rule_id=self.rule.id,
                kind=kind,
                at=at,
                reason=text,
                severity=self.rule.severity,
                value=value,
                suppressed=suppressed,
                notify=notify,
                forecast=self.forecast,
            )
        )

    def in_maintenance(self, at: datetime) -> bool:
        return any(o.covers(at) for o in self.maintenance)

    def settle(self, at: datetime) -> None:
        """Step 1: end flapping if the last change is ``stable_seconds`` old at ``at``."""
        if self.flapping_since is None:
            return
        last = self.changes[-1] if self.changes else self.flapping_since
        ended = last + timedelta(seconds=self.rule.flap.stable_seconds)
        if at < ended:
            return
        self.flapping_since = None
        self.emit(TransitionKind.STABLE, ended, f"no change for {self.rule.flap.stable_seconds} s")
        self.catch_up(ended)

    def catch_up(self, at: datetime) -> None:
        believed = Phase.FIRING if self.phase is Phase.FIRING else Phase.OK
        if believed is self.notified or self.flapping_since is not None or self.in_maintenance(at):
            return
        kind = TransitionKind.FIRING if believed is Phase.FIRING else TransitionKind.RESOLVED
        self.notified = believed
        self.emit(kind, at, f"{kind.value} (was not notified while suppressed)", notify=True)

    def record_change(self, at: datetime) -> None:
        """Step 2: remember the change; start flapping when it tips the count."""
        settings = self.rule.flap
        if settings.max_changes <= 0:
            return
        self.changes = (*self.changes, at)[-(settings.max_changes + 1) :]
        recent = [c for c in self.changes if at - c < timedelta(seconds=settings.window_seconds)]
        if self.flapping_since is None and len(recent) > settings.max_changes:
            self.flapping_since = at
            text = f"{len(recent)} changes within {settings.window_seconds} s"
            self.emit(TransitionKind.FLAPPING, at, text)

    def handle(self, event: RawEvent) -> None:
        at = to_datetime(event.at)
        self.settle(at)
        if event.kind in CHANGE_KINDS:
            self.record_change(at)
        suppressed: Suppression | None = None
        if self.in_maintenance(at):
            suppressed = Suppression.MAINTENANCE
        elif self.flapping_since is not None:
            suppressed = Suppression.FLAPPING
        notify = False
        if suppressed is None and event.kind is TransitionKind.FIRING:
            notify = self.notified is Phase.OK
        elif suppressed is None and event.kind is TransitionKind.RESOLVED:
            notify = self.notified is Phase.FIRING
        if notify:
            self.notified = Phase.FIRING if event.kind is TransitionKind.FIRING else Phase.OK
        self.phase = PHASE_AFTER[event.kind]
        if self.describe is not None:
            text = self.describe(event.kind, event.value)
        else:
            text = reason(self.rule, event.kind, event.value, self.forecast)
        self.emit(event.kind, at, text, value=event.value, suppressed=suppressed, notify=notify)


PHASE_AFTER = {
    TransitionKind.PENDING: Phase.PENDING,
    TransitionKind.CANCELLED: Phase.OK,
    TransitionKind.FIRING: Phase.FIRING,
    TransitionKind.RESOLVED: Phase.OK,
}


def apply(
    rule: Rule,
    prior: AlertState,
    events: Sequence[RawEvent],
    now: datetime,
    maintenance: Sequence[Occurrence],
    forecast: Forecast | None = None,
    describe: Describe | None = None,
) -> PolicyResult:
    """Run the steps of the module docstring over ``events`` (in order) from ``prior``.
    ``describe`` replaces the rule's reason texts (alerts from other tools bring their own)."""
    walk = _Walk(
        rule=rule,
        key=prior.key,
        maintenance=maintenance,
        forecast=forecast,
        phase=prior.phase,
        notified=prior.notified,
        changes=prior.changes,
        flapping_since=prior.flapping_since,
        out=[],
        describe=describe,
    )
    for event in events:
        walk.handle(event)
    walk.settle(now)
    walk.catch_up(now)
    covering = [o for o in maintenance if o.covers(now)]
    suppressed: Suppression | None = None
    deadlines: list[datetime] = []
    if covering:
        suppressed = Suppression.MAINTENANCE
        deadlines.append(max(o.end for o in covering))
    elif walk.flapping_since is not None:
        suppressed = Suppression.FLAPPING
    if walk.flapping_since is not None:
        last = walk.changes[-1] if walk.changes else walk.flapping_since
        deadlines.append(last + timedelta(seconds=rule.flap.stable_seconds))
    changes = walk.changes
    if walk.flapping_since is None:
        # Changes older than the flap window can never count again: forget them, so that a
        # quiet alert carries no history (the batch cycle skips such rows).
        horizon = timedelta(seconds=rule.flap.window_seconds)
        changes = tuple(c for c in changes if now - c < horizon)
    return PolicyResult(
        notified=walk.notified,
        changes=changes,
        flapping_since=walk.flapping_since,
        suppressed=suppressed,
        transitions=walk.out,
        deadline=min(deadlines) if deadlines else None,
    )
