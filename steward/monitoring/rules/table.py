"""Alert states of one rule over many series, as arrays (the batch cycle's compact form).

Building 100,000 ``AlertState`` objects per cycle would cost more than evaluating them, so the
cycle keeps the machine's fields in numpy arrays (NaN = None) and the policy's fields (notified,
changes, flapping, suppression) only for the few rows where they are not the defaults.
``state(row)`` and ``from_states`` convert to and from ``AlertState`` for the wiring.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import numpy.typing as npt

from .model import (
    AlertState,
    Forecast,
    Phase,
    Suppression,
    dedup_key,
    to_datetime,
    to_seconds,
)

FloatArray = npt.NDArray[np.float64]
PHASES = (Phase.OK, Phase.PENDING, Phase.FIRING)
PHASE_CODE = {phase: code for code, phase in enumerate(PHASES)}


@dataclass(frozen=True)
class PolicyFields:
    notified: Phase = Phase.OK
    changes: tuple[datetime, ...] = ()
    flapping_since: datetime | None = None
    suppressed: Suppression | None = None


def _nan(rows: int) -> FloatArray:
    return np.full(rows, np.nan)


@dataclass
class StateTable:
    """States of ``rule_id`` for the series ``identities`` (row ``i`` is ``identities[i]``).

    The forecast arrays hold the latest fit (NaN where none); ``forecast_crossing`` is the
    predicted crossing in unix seconds (NaN: none within a century).
    """

    rule_id: str
    identities: Sequence[str]
    phase: npt.NDArray[np.int8]
    pending_since: FloatArray
    firing_since: FloatArray
    evaluated_at: FloatArray
    value: FloatArray
    next_evaluation_at: FloatArray
    forecast_slope: FloatArray
    forecast_value_now: FloatArray
    forecast_crossing: FloatArray
    forecast_points: FloatArray
    forecast_span: FloatArray
    policy: dict[int, PolicyFields] = field(default_factory=dict)

    @classmethod
    def empty(cls, rule_id: str, identities: Sequence[str]) -> StateTable:
        rows = len(identities)
        return cls(
            rule_id=rule_id,
            identities=identities,
            phase=np.zeros(rows, dtype=np.int8),
            pending_since=_nan(rows),
            firing_since=_nan(rows),
            evaluated_at=_nan(rows),
            value=_nan(rows),
            next_evaluation_at=_nan(rows),
            forecast_slope=_nan(rows),
            forecast_value_now=_nan(rows),
            forecast_crossing=_nan(rows),
            forecast_points=_nan(rows),
            forecast_span=_nan(rows),
        )

    @classmethod
    def from_states(
        cls, rule_id: str, identities: Sequence[str], states: Sequence[AlertState | None]
    ) -> StateTable:
        """A table from stored states (None: the series has no state yet)."""
        table = cls.empty(rule_id, identities)
        for row, state in enumerate(states):
            if state is not None:
                table.put(row, state)
        return table

    def __len__(self) -> int:
        return len(self.identities)

    def key(self, row: int) -> str:
        return dedup_key(self.rule_id, self.identities[row])

    def state(self, row: int) -> AlertState:
        fields = self.policy.get(row, PolicyFields())
        return AlertState(
            key=self.key(row),
            phase=PHASES[int(self.phase[row])],
            pending_since=_moment(self.pending_since[row]),
            firing_since=_moment(self.firing_since[row]),
            evaluated_at=_moment(self.evaluated_at[row]),
            notified=fields.notified,
            changes=fields.changes,
            flapping_since=fields.flapping_since,
            suppressed=fields.suppressed,
            value=_number(self.value[row]),
            forecast=self.forecast(row),
            next_evaluation_at=_moment(self.next_evaluation_at[row]),
        )

    def forecast(self, row: int) -> Forecast | None:
        if math.isnan(self.forecast_slope[row]) or math.isnan(self.evaluated_at[row]):
            return None
        return Forecast(
            computed_at=to_datetime(float(self.evaluated_at[row])),
            slope_per_second=float(self.forecast_slope[row]),
            value_now=float(self.forecast_value_now[row]),
            crossing_at=_moment(self.forecast_crossing[row]),
            points=int(self.forecast_points[row]),
            span_seconds=float(self.forecast_span[row]),
        )

    def put(self, row: int, state: AlertState) -> None:
        self.phase[row] = PHASE_CODE[state.phase]
        self.pending_since[row] = _seconds(state.pending_since)
        self.firing_since[row] = _seconds(state.firing_since)
        self.evaluated_at[row] = _seconds(state.evaluated_at)
        self.value[row] = math.nan if state.value is None else state.value
        self.next_evaluation_at[row] = _seconds(state.next_evaluation_at)
        fit = state.forecast
        self.forecast_slope[row] = math.nan if fit is None else fit.slope_per_second
        self.forecast_value_now[row] = math.nan if fit is None else fit.value_now
        self.forecast_crossing[row] = math.nan if fit is None else _seconds(fit.crossing_at)
        self.forecast_points[row] = math.nan if fit is None else fit.points
        self.forecast_span[row] = math.nan if fit is None else fit.span_seconds
        self.put_policy(
            row, PolicyFields(state.notified, state.changes, state.flapping_since, state.suppressed)
        )

    def put_policy(self, row: int, fields: PolicyFields) -> None:
        if fields == PolicyFields():
            self.policy.pop(row, None)
        else:
            self.policy[row] = fields

    def copy(self) -> StateTable:
        return StateTable(
            self.rule_id,
            self.identities,
            self.phase.copy(),
            self.pending_since.copy(),
            self.firing_since.copy(),
            self.evaluated_at.copy(),
            self.value.copy(),
            self.next_evaluation_at.copy(),
            self.forecast_slope.copy(),
            self.forecast_value_now.copy(),
            self.forecast_crossing.copy(),
            self.forecast_points.copy(),
            self.forecast_span.copy(),
            dict(self.policy),
        )


def _moment(seconds: float) -> datetime | None:
    return None if math.isnan(seconds) else to_datetime(float(seconds))


def _seconds(moment: datetime | None) -> float:
    return math.nan if moment is None else to_seconds(moment)


def _number(value: float) -> float | None:
    return None if math.isnan(value) else float(value)
