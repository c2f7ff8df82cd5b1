"""The data of alert evaluation: rules, series windows, the state kept per alert, transitions.

Everything here is a frozen dataclass or an enum of plain values, so the wiring can build them
from model rows and store them back without this package importing Django. Times of samples are
unix seconds (floats, as in the ingest API); every other instant is an aware ``datetime``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import IntEnum, StrEnum

Point = tuple[float, float]


class RuleKind(StrEnum):
    THRESHOLD = "threshold"
    ABSENCE = "absence"
    STATE_CHANGE = "state_change"
    FORECAST = "forecast"


class Comparison(StrEnum):
    GT = ">"
    GE = ">="
    LT = "<"
    LE = "<="

    def holds(self, value: float, limit: float) -> bool:
        if self is Comparison.GT:
            return value > limit
        if self is Comparison.GE:
            return value >= limit
        if self is Comparison.LT:
            return value < limit
        return value <= limit

    @property
    def upward(self) -> bool:
        """True when the bad side is above the limit (a forecast looks for a rising line)."""
        return self in (Comparison.GT, Comparison.GE)


class Severity(StrEnum):
    CRITICAL = "critical"
    MAJOR = "major"
    MINOR = "minor"
    WARNING = "warning"
    INFO = "info"


class CheckState(IntEnum):
    """Check states as codes, so check-state series travel in the same float arrays as metrics."""

    OK = 0
    WARNING = 1
    CRITICAL = 2
    UNKNOWN = 3


def check_state_code(name: str) -> float:
    """The code of a check state name (``"critical"`` is 2.0), for check-state series."""
    try:
        return float(CheckState[name.upper()])
    except KeyError:
        known = ", ".join(s.name.lower() for s in CheckState)
        raise ValueError(f"state: {name!r} is not a check state ({known})") from None


class Phase(StrEnum):
    OK = "ok"
    PENDING = "pending"
    FIRING = "firing"


class TransitionKind(StrEnum):
    PENDING = "pending"  # the condition started to hold; waiting for ``for_seconds``
    CANCELLED = "cancelled"  # it stopped holding before ``for_seconds``: no alert
    FIRING = "firing"
    RESOLVED = "resolved"
    FLAPPING = "flapping"  # too many changes: notifications stop
    STABLE = "stable"  # no change for ``stable_seconds``: notifications resume


class Suppression(StrEnum):
    MAINTENANCE = "maintenance"
    FLAPPING = "flapping"


class MatchOp(StrEnum):
    EQ = "="
    NE = "!="
    RE = "=~"
    NRE = "!~"


class Signal(IntEnum):
    """What one stretch of data says about a rule's condition.

    ``HOLD`` is the hysteresis band: between threshold and recovery threshold (or a check state
    that is neither a trigger nor a recovery). It keeps a firing alert firing but cancels a
    pending one.
    """

    CLEAR = 0
    HOLD = 1
    BREACH = 2


class RuleError(ValueError):
    """A rule was rejected: ``field`` names the bad field, ``reason`` says why."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@dataclass(frozen=True)
class Matcher:
    """One label matcher, as in Prometheus: ``mount="/"``, ``fstype!~"tmpfs|overlay"``."""

    name: str
    op: MatchOp
    value: str

    def __post_init__(self) -> None:
        if self.op in (MatchOp.RE, MatchOp.NRE):
            try:
                re.compile(self.value)
            except re.error as exc:
                raise ValueError(f"matcher {self.name}: bad regular expression: {exc}") from exc

    def matches(self, labels: Mapping[str, str]) -> bool:
        actual = labels.get(self.name, "")
        if self.op is MatchOp.EQ:
            return actual == self.value
        if self.op is MatchOp.NE:
            return actual != self.value
        found = re.fullmatch(self.value, actual) is not None
        return found if self.op is MatchOp.RE else not found


@dataclass(frozen=True)
class Selector:
    """Which series a rule applies to: a metric name and label matchers (all must match)."""

    metric: str
    matchers: tuple[Matcher, ...] = ()

    def matches(self, metric: str, labels: Mapping[str, str]) -> bool:
        return metric == self.metric and all(m.matches(labels) for m in self.matchers)


@dataclass(frozen=True)
class FlapSettings:
    """Flap detection: more than ``max_changes`` firing/resolved changes within
    ``window_seconds`` makes the alert flap; it stops after ``stable_seconds`` without a change.
    ``max_changes = 0`` turns detection off."""

    max_changes: int = 5
    window_seconds: int = 3600
    stable_seconds: int = 1800


@dataclass(frozen=True)
class Rule:
    """One alert rule. Which fields matter depends on ``kind``:

    - threshold: ``comparison``, ``threshold``, ``recovery_threshold`` (defaults to the threshold:
      no hysteresis), ``for_seconds``.
    - absence: ``window_seconds`` of silence after the last sample (then ``for_seconds``).
    - state_change: ``states`` that trigger, ``recovery_states`` that resolve (others hold),
      ``for_seconds``.
    - forecast: ``threshold`` is the limit, ``comparison`` its side, ``window_seconds`` the fit
      window, ``horizon_seconds`` how far ahead a crossing fires, ``min_points`` and
      ``min_span_seconds`` below which the fit decides nothing.
    """

    id: str
    kind: RuleKind
    selector: Selector
    severity: Severity = Severity.WARNING
    comparison: Comparison = Comparison.GT
    threshold: float = 0.0
    recovery_threshold: float | None = None
    for_seconds: int = 0
    window_seconds: int = 0
    horizon_seconds: int = 0
    min_points: int = 10
    min_span_seconds: int = 0
    states: frozenset[CheckState] = frozenset({CheckState.CRITICAL})
    recovery_states: frozenset[CheckState] = frozenset({CheckState.OK})
    flap: FlapSettings = field(default_factory=FlapSettings)
    summary: str = ""
    enabled: bool = True

    def __post_init__(self) -> None:
        validate(self)

    @property
    def recovery(self) -> float:
        return self.threshold if self.recovery_threshold is None else self.recovery_threshold


def validate(rule: Rule) -> None:
    """Reject rules the machine cannot run, naming the field."""
    for name in ("for_seconds", "window_seconds", "horizon_seconds", "min_span_seconds"):
        if getattr(rule, name) < 0:
            raise RuleError(name, "must not be negative")
    if not rule.id:
        raise RuleError("id", "must not be empty")
    if rule.kind is RuleKind.ABSENCE and rule.window_seconds <= 0:
        raise RuleError("window_seconds", "an absence rule needs the silence length (> 0)")
    if rule.kind is RuleKind.FORECAST:
        if rule.window_seconds <= 0:
            raise RuleError("window_seconds", "a forecast rule needs the fit window (> 0)")
        if rule.horizon_seconds <= 0:
            raise RuleError("horizon_seconds", "a forecast rule needs the horizon (> 0)")
    # The recovery threshold sits on the good side of the threshold (or on it: no hysteresis).
    recovery = rule.recovery_threshold
    if rule.kind is RuleKind.THRESHOLD and recovery is not None:
        upward = rule.comparison.upward
        if (upward and recovery > rule.threshold) or (not upward and recovery < rule.threshold):
            side = "at or below" if upward else "at or above"
            raise RuleError(
                "recovery_threshold", f"must be {side} the threshold {rule.threshold:g}"
            )
    if rule.kind is RuleKind.STATE_CHANGE and rule.states & rule.recovery_states:
        raise RuleError("recovery_states", "must not share a state with states")
    if rule.flap.max_changes < 0 or rule.flap.window_seconds < 0 or rule.flap.stable_seconds < 0:
        raise RuleError("flap", "must not be negative")


@dataclass(frozen=True)
class SeriesWindow:
    """Recent points of one series: ``(unix seconds, value)``, ascending by time.

    ``identity`` names the series stably (e.g. ``series:42``, or ``series_identity(...)``). For
    check-state rules the values are ``CheckState`` codes. An absence rule needs the window to
    reach back to the last point at or before the previous evaluation.
    """

    identity: str
    points: tuple[Point, ...] = ()


@dataclass(frozen=True)
class Forecast:
    """A least-squares line over the window: ``value(t) = value_now + slope * (t - now)``.

    ``crossing_at`` is when the line reaches the rule's limit (None: it never does, or moves
    away); the UI draws the line, a ticket says "disk full in ~5 days".
    """

    computed_at: datetime
    slope_per_second: float
    value_now: float
    crossing_at: datetime | None
    points: int
    span_seconds: float


@dataclass(frozen=True)
class Occurrence:
    """One concrete maintenance interval: ``start`` inclusive, ``end`` exclusive."""

    start: datetime
    end: datetime
    window_id: str = ""

    def covers(self, at: datetime) -> bool:
        return self.start <= at < self.end


@dataclass(frozen=True)
class AlertState:
    """What is remembered per dedup key between evaluations.

    ``notified`` is the phase the outside world (ticket, notifications) last heard of; when a
    suppression ends and it differs from ``phase``, the next evaluation says so.
    ``changes`` holds the instants of the latest firing/resolved changes (for flap detection).
    ``next_evaluation_at`` is the earliest instant at which the state changes without new data
    (the ``for`` deadline, an absence deadline, the end of flapping or of maintenance).
    """

    key: str
    phase: Phase = Phase.OK
    pending_since: datetime | None = None
    firing_since: datetime | None = None
    evaluated_at: datetime | None = None
    notified: Phase = Phase.OK
    changes: tuple[datetime, ...] = ()
    flapping_since: datetime | None = None
    suppressed: Suppression | None = None
    value: float | None = None
    forecast: Forecast | None = None
    next_evaluation_at: datetime | None = None


@dataclass(frozen=True)
class Transition:
    """One change of an alert: what happened, when (``at`` is the exact instant, which may be
    earlier than the evaluation), why, and whether the wiring should act on it (``notify``:
    open or resolve the ticket, send notifications). Suppressed transitions are recorded only."""

    key: str
    rule_id: str
    kind: TransitionKind
    at: datetime
    reason: str
    severity: Severity
    value: float | None = None
    suppressed: Suppression | None = None
    notify: bool = False
    forecast: Forecast | None = None


def series_identity(metric: str, labels: Mapping[str, str], scope: str = "") -> str:
    """A canonical text for a series: ``scope/metric{a="1",b="2"}`` (labels sorted)."""
    inner = ",".join(f"{name}={labels[name]!r}" for name in sorted(labels))
    prefix = f"{scope}/" if scope else ""
    return f"{prefix}{metric}{{{inner}}}"


def dedup_key(rule_id: str, identity: str) -> str:
    """The alert's dedup key: the rule id and a digest of the series identity (short, indexable)."""
    digest = hashlib.sha256(identity.encode()).hexdigest()[:24]
    return f"{rule_id}:{digest}"


def to_datetime(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def to_seconds(moment: datetime) -> float:
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment.isoformat()}: instants must be aware")
    return moment.timestamp()
