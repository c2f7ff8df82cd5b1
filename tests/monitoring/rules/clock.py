"""A scripted clock for rule tests: feed points, evaluate at exact instants, read what happened."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from steward.monitoring.rules.evaluate import evaluate
from steward.monitoring.rules.model import (
    AlertState,
    Occurrence,
    Phase,
    Rule,
    SeriesWindow,
    Transition,
)

T0 = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
S0 = T0.timestamp()


def at(offset: float) -> datetime:
    """The instant ``offset`` seconds after T0."""
    return T0 + timedelta(seconds=offset)


@dataclass
class Clock:
    """Drives one rule over one series: ``feed`` points (offsets from T0), ``tick`` to evaluate."""

    rule: Rule
    maintenance: Sequence[Occurrence] = ()
    points: list[tuple[float, float]] = field(default_factory=list)
    state: AlertState | None = None
    log: list[Transition] = field(default_factory=list)

    def feed(self, *points: tuple[float, float]) -> Clock:
        self.points.extend((S0 + offset, value) for offset, value in points)
        return self

    def tick(self, offset: float) -> list[Transition]:
        window = SeriesWindow("series:1", tuple(self.points))
        self.state, found = evaluate(self.rule, window, self.state, at(offset), self.maintenance)
        self.log.extend(found)
        return found

    @property
    def phase(self) -> Phase:
        assert self.state is not None
        return self.state.phase


def kinds(transitions: Sequence[Transition]) -> list[str]:
    return [t.kind.value for t in transitions]


def offsets(transitions: Sequence[Transition]) -> list[float]:
    return [(t.at - T0).total_seconds() for t in transitions]
