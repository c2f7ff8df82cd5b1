"""SLA clocks as a pure function of a ticket's event log, its SLA terms and ``now``.

Nothing here reads the clock, the database or Django: replaying a stored log after a policy or
calendar correction gives the corrected state. Business time is ``steward.core.businesstime``
(whole business seconds of ``terms.calendar``, docs/business-time.md).

Rules:

1. Events are sorted by ``at`` (stable); events later than ``now`` are ignored. The clock starts
   at the CREATED event, of which there must be exactly one at or before ``now``; no event may
   precede it. Naive datetimes (``now`` or any ``at``), an unknown kind or a STATUS event
   without a status raise ``ValueError``. A CREATED event without a status starts in "new".
2. Equal instants: CREATED is applied first among events at its instant; the others keep the
   order they were given in. Zero time passes between them, so their order only matters among
   STATUS events (the last one is the status from then on, and a resolve followed by a reopen at
   the same instant leaves the ticket open); RESPONSE and PLAN events may be given in any order.
3. A status is *running* unless it is in ``pause_statuses`` (*paused*) or in
   ``RESOLVED_STATUSES`` (*stopped*). The elapsed time of a clock is the business seconds the
   ticket spent in running statuses. Business seconds spent in paused statuses, over the whole
   log up to ``now``, are ``paused_business_seconds``. Stopped time counts for neither.
4. Response: the first RESPONSE event, or the first transition into a resolved status if that
   comes earlier (resolving answers the ticket). Plan: the same with PLAN events, and only when
   ``plan_seconds`` is set (otherwise every plan field is None); resolving also ends the plan
   clock. Resolution: when the ticket is resolved or closed now, ``resolved_at`` is the last
   transition from an open status into a resolved one (resolved -> closed is no new
   transition); a reopen (back to an open status) clears it and the clock resumes with its
   elapsed time kept. At the stop instant S, elapsed(S) is the clock's final business seconds
   and ``met = elapsed(S) <= target``.
5. A clock that is not stopped has ``met`` None while elapsed(now) <= target, and False once
   elapsed(now) > target: a breach is known before the ticket is answered or resolved.
6. Due instant at an evaluation instant E (``now`` for an open clock, S for a stopped one): when
   elapsed(E) < target, ``add(E, target - elapsed(E))`` -- for a running clock that is the same
   instant as ``add(last resume, target - elapsed at resume)``, so it does not move; while
   paused it moves along with ``now``; a stopped clock keeps the due it had at S. When elapsed(E)
   >= target, the due is the instant the running time reached the target, found by replaying the
   running stretches.
7. Warning instant: the same as rule 6 with the target ``ceil(target * warning_percent / 100)``.
   ``warning_at`` is the earliest warning instant (past or future) of the clocks that are open
   (not stopped, not breached) while the ticket is in a running status; None otherwise.
8. Deadlines: the warnings and breaches the clocks have reached, and the ones they are running
   towards. A clock with ``met`` False has its breach (``at`` its due, ``known_at`` the instant
   its elapsed time passed the target: one business second later), even once stopped. An open
   clock has its warning when reached (``at`` = ``known_at`` = the warning instant; a warning
   whose clock breached is not listed) and, while the ticket is in a running status, its coming
   warning and breach. Paused clocks run towards nothing. ``next_deadline(deadlines,
   announced)`` is the earliest by ``known_at`` of those not announced yet, past or future: the
   escalation job announces each kind once, however late it runs and whatever moved meanwhile.
9. Priority changes are not events: ``terms`` are those of the current priority, applied from
   creation.
10. Output instants are UTC. Cost per ticket: one ``between`` per change between running, paused
   and stopped, and at most two ``add`` per clock. A calendar that never opens again makes
   ``add`` raise ``ValueError`` (there is no due to give).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from steward.core.businesstime import CompiledCalendar, add, between
from steward.servicedesk.sla.terms import (
    RESOLVED_STATUSES,
    ClockEvent,
    ClockEventKind,
    Deadline,
    SlaState,
    SlaTerms,
)

__all__ = [
    "RESOLVED_STATUSES",
    "ClockEvent",
    "ClockEventKind",
    "Deadline",
    "SlaState",
    "SlaTerms",
    "compute_sla",
    "next_deadline",
]

RUNNING, PAUSED, STOPPED = "running", "paused", "stopped"
Stop = tuple[datetime, int]  # (instant a clock stopped, its elapsed business seconds then)
Segment = tuple[datetime, int]  # (start of a running stretch, business seconds in it)


@dataclass(slots=True)
class _Walk:
    """What one pass over the log learns; elapsed and paused are business seconds."""

    mode: str
    since: datetime  # start of the current running / paused / stopped stretch
    elapsed: int = 0
    paused_seconds: int = 0
    paused_since: datetime | None = None
    segments: list[Segment] = field(default_factory=list)
    response: Stop | None = None
    plan: Stop | None = None
    first_resolve: Stop | None = None
    last_resolve: Stop | None = None


@dataclass(frozen=True, slots=True)
class _Clock:
    due: datetime
    met: bool | None
    stop: Stop | None
    warning: datetime | None  # set for open clocks only
    target: int
    stand: Stop  # where it stands: (stop or now, elapsed business seconds then)


def compute_sla(events: Sequence[ClockEvent], terms: SlaTerms, now: datetime) -> SlaState:
    """The SLA state of a ticket at ``now`` from its event log (rules in the module docstring)."""
    _aware(now, "now")
    log = _prepare(events, now)
    cal = terms.compiled
    walk = _walk(log, terms, cal, now)
    response = _clock(cal, walk, terms, terms.response_seconds, _first(walk.response, walk), now)
    plan = None
    if terms.plan_seconds is not None:
        plan = _clock(cal, walk, terms, terms.plan_seconds, _first(walk.plan, walk), now)
    resolution = _clock(cal, walk, terms, terms.resolution_seconds, walk.last_resolve, now)
    clocks = {"response": response, "plan": plan, "resolution": resolution}
    warning_at = _warning_at(clocks, walk.mode == RUNNING)
    deadlines = _deadlines(clocks, cal, walk, now)
    return SlaState(
        response_due_at=_utc(response.due),
        plan_due_at=_utc(plan.due) if plan else None,
        resolution_due_at=_utc(resolution.due),
        responded_at=_utc(response.stop[0]) if response.stop else None,
        planned_at=_utc(plan.stop[0]) if plan and plan.stop else None,
        resolved_at=_utc(resolution.stop[0]) if resolution.stop else None,
        response_met=response.met,
        plan_met=plan.met if plan else None,
        resolution_met=resolution.met,
        business_seconds_to_response=response.stop[1] if response.stop else None,
        business_seconds_to_resolution=resolution.stop[1] if resolution.stop else None,
        paused_business_seconds=walk.paused_seconds,
        paused=walk.mode == PAUSED,
        paused_since=_utc(walk.paused_since) if walk.paused_since else None,
        warning_at=_utc(warning_at) if warning_at else None,
        deadlines=deadlines,
    )


def next_deadline(deadlines: Sequence[Deadline], announced: Iterable[str] = ()) -> Deadline | None:
    """The earliest deadline (by ``known_at``; ties in clock order) not among ``announced``."""
    done = set(announced)
    return min((d for d in deadlines if d.kind not in done), key=_known, default=None)


def _known(deadline: Deadline) -> datetime:
    return deadline.known_at


def _prepare(events: Sequence[ClockEvent], now: datetime) -> list[ClockEvent]:
    """Validate, sort (CREATED first among equal instants) and drop events after ``now``."""
    for index, event in enumerate(events):
        _aware(event.at, f"events[{index}].at")
        ClockEventKind(event.kind)  # raises ValueError naming the bad kind
        if event.kind == ClockEventKind.STATUS and not event.status:
            raise ValueError(f"events[{index}].status: a STATUS event needs the new status")
    log = sorted(
        (e for e in events if e.at <= now),
        key=lambda e: (e.at, e.kind != ClockEventKind.CREATED),
    )
    created = [e for e in log if e.kind == ClockEventKind.CREATED]
    if not created:
        raise ValueError("events: no CREATED event at or before now; the clock starts there")
    if len(created) > 1:
        raise ValueError("events: more than one CREATED event")
    if log[0].kind != ClockEventKind.CREATED:
        raise ValueError(f"events: an event at {log[0].at.isoformat()} precedes CREATED")
    return log


def _mode(status: str, terms: SlaTerms) -> str:
    if status in RESOLVED_STATUSES:
        return STOPPED
    return PAUSED if status in terms.pause_statuses else RUNNING


def _walk(log: list[ClockEvent], terms: SlaTerms, cal: CompiledCalendar, now: datetime) -> _Walk:
    """One pass: running stretches, paused seconds and the instants the clocks stop."""
    created = log[0]
    walk = _Walk(mode=RUNNING, since=created.at)
    _enter(walk, _mode(created.status or "new", terms), created.at)
    for event in log[1:]:
        if event.kind == ClockEventKind.RESPONSE and walk.response is None:
            walk.response = (event.at, _elapsed_at(walk, cal, event.at))
        elif event.kind == ClockEventKind.PLAN and walk.plan is None:
            walk.plan = (event.at, _elapsed_at(walk, cal, event.at))
        elif event.kind == ClockEventKind.STATUS:
            assert event.status is not None  # checked by _prepare
            mode = _mode(event.status, terms)
            if mode != walk.mode:
                _close(walk, cal, event.at)
                _enter(walk, mode, event.at)
    _close(walk, cal, now)
    return walk


def _enter(walk: _Walk, mode: str, at: datetime) -> None:
    if mode == STOPPED and walk.mode != STOPPED:
        walk.last_resolve = (at, walk.elapsed)
        if walk.first_resolve is None:
            walk.first_resolve = walk.last_resolve
    if mode != STOPPED:
        walk.last_resolve = None
    if mode == PAUSED:
        walk.paused_since = at
    else:
        walk.paused_since = None
    walk.mode, walk.since = mode, at


def _close(walk: _Walk, cal: CompiledCalendar, at: datetime) -> None:
    """End the current stretch at ``at``, adding its business seconds where they belong."""
    if walk.mode == RUNNING:
        seconds = between(cal, walk.since, at)
        walk.segments.append((walk.since, seconds))
        walk.elapsed += seconds
    elif walk.mode == PAUSED:
        walk.paused_seconds += between(cal, walk.since, at)


def _elapsed_at(walk: _Walk, cal: CompiledCalendar, at: datetime) -> int:
    if walk.mode == RUNNING:
        return walk.elapsed + between(cal, walk.since, at)
    return walk.elapsed


def _first(stop: Stop | None, walk: _Walk) -> Stop | None:
    """A response or plan stop, or the first resolve when that came earlier."""
    resolve = walk.first_resolve
    if resolve is not None and (stop is None or resolve[0] < stop[0]):
        return resolve
    return stop


def _clock(
    cal: CompiledCalendar,
    walk: _Walk,
    terms: SlaTerms,
    target: int,
    stop: Stop | None,
    now: datetime,
) -> _Clock:
    stand = stop if stop is not None else (now, walk.elapsed)
    due = _reach(cal, walk.segments, target, *stand)
    if stop is not None:
        return _Clock(due, stand[1] <= target, stop, None, target, stand)
    if walk.elapsed > target:
        return _Clock(due, False, None, None, target, stand)
    warning = _reach(cal, walk.segments, terms.warning_seconds(target), now, walk.elapsed)
    return _Clock(due, None, None, warning, target, stand)


def _reach(
    cal: CompiledCalendar, segments: list[Segment], target: int, at: datetime, elapsed: int
) -> datetime:
    """The instant a clock's elapsed time reaches ``target`` (> 0), evaluated at ``at`` where
    it stands at ``elapsed``: projected as if running from ``at`` when not there yet, else
    found in the running stretch that crossed it."""
    if elapsed < target:
        return add(cal, at, target - elapsed)
    reached = 0
    for start, seconds in segments:
        if reached + seconds >= target:
            return add(cal, start, target - reached)
        reached += seconds
    raise AssertionError("elapsed time is the sum of the running stretches")


def _warning_at(clocks: dict[str, _Clock | None], running: bool) -> datetime | None:
    """The earliest warning instant of the open clocks while the ticket runs (rule 7)."""
    if not running:
        return None
    warnings = [c.warning for c in clocks.values() if c is not None and c.warning is not None]
    return min(warnings, default=None)


def _deadlines(
    clocks: dict[str, _Clock | None], cal: CompiledCalendar, walk: _Walk, now: datetime
) -> tuple[Deadline, ...]:
    """Reached and coming warnings and breaches, in clock order (rule 8)."""
    running = walk.mode == RUNNING
    found: list[Deadline] = []
    for name, clock in clocks.items():
        if clock is None:
            continue
        breach = f"{name}_breach"
        if clock.met is False:
            found.append(Deadline(breach, _utc(clock.due), _utc(_breached(cal, walk, clock))))
        elif clock.warning is not None:  # open and not breached
            if running or clock.warning <= now:
                warning = _utc(clock.warning)
                found.append(Deadline(f"{name}_warning", warning, warning))
            if running:
                found.append(Deadline(breach, _utc(clock.due), _utc(_breached(cal, walk, clock))))
    return tuple(found)


def _breached(cal: CompiledCalendar, walk: _Walk, clock: _Clock) -> datetime:
    """When the clock's elapsed time passes its target (``met`` turns False)."""
    return _reach(cal, walk.segments, clock.target + 1, *clock.stand)


def _aware(moment: object, name: str) -> None:
    if not isinstance(moment, datetime):
        raise ValueError(f"{name}: expected a datetime, not {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name}: naive datetime; SLA clocks need aware datetimes")


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)
