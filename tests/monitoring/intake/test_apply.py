"""Incoming alerts on the alert path: dedup, ordering, maintenance and flapping."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from steward.monitoring.intake.apply import apply_incoming
from steward.monitoring.intake.model import IncomingAlert, IncomingStatus
from steward.monitoring.rules.model import (
    AlertState,
    FlapSettings,
    Occurrence,
    Phase,
    Severity,
    Suppression,
    Transition,
)

T0 = datetime(2026, 11, 29, 12, tzinfo=UTC)
FIRING = IncomingAlert(
    source="alertmanager",
    key="alertmanager:c0ffee",
    status=IncomingStatus.FIRING,
    severity=Severity.CRITICAL,
    summary="Disk almost full",
    at=T0,
)
RESOLVED = replace(FIRING, status=IncomingStatus.RESOLVED, at=T0 + timedelta(minutes=30))


def told(transitions: list[Transition]) -> list[tuple[str, datetime]]:
    return [(t.kind.value, t.at) for t in transitions if t.notify]


def test_firing_then_repeats_then_resolved() -> None:
    state, found = apply_incoming(FIRING, None, T0, scope="token:7/")
    assert state.key == "token:7/alertmanager:c0ffee"
    assert told(found) == [("firing", T0)]
    assert found[0].reason == "Disk almost full"
    assert found[0].severity is Severity.CRITICAL
    assert state.phase is Phase.FIRING
    for minutes in (5, 10):  # Alertmanager repeats a firing alert
        state, found = apply_incoming(FIRING, state, T0 + timedelta(minutes=minutes))
        assert found == []
    state, found = apply_incoming(RESOLVED, state, T0 + timedelta(minutes=31))
    assert told(found) == [("resolved", T0 + timedelta(minutes=30))]
    assert found[0].reason == "resolved: Disk almost full"
    assert state.phase is Phase.OK
    _, found = apply_incoming(RESOLVED, state, T0 + timedelta(minutes=32))
    assert found == []


def test_a_resolution_never_precedes_its_firing() -> None:
    state, _ = apply_incoming(FIRING, None, T0)
    early = replace(RESOLVED, at=T0 - timedelta(seconds=5))  # the sender's clock is behind
    _, found = apply_incoming(early, state, T0 + timedelta(minutes=1))
    assert told(found) == [("resolved", T0)]


def test_a_resolution_of_an_unknown_alert_is_ignored() -> None:
    state, found = apply_incoming(RESOLVED, None, T0)
    assert found == []
    assert state == AlertState(key=state.key, evaluated_at=T0)


def test_maintenance_suppresses_and_its_end_tells() -> None:
    window = Occurrence(T0 - timedelta(hours=1), T0 + timedelta(hours=1))
    state, found = apply_incoming(FIRING, None, T0, maintenance=[window])
    assert [(t.kind.value, t.suppressed, t.notify) for t in found] == [
        ("firing", Suppression.MAINTENANCE, False)
    ]
    assert state.next_evaluation_at == window.end
    state, found = apply_incoming(FIRING, state, window.end, maintenance=[window])
    assert told(found) == [("firing", window.end)]


def test_a_flapping_source_is_suppressed() -> None:
    flap = FlapSettings(max_changes=2, window_seconds=600, stable_seconds=300)
    state: AlertState | None = None
    log: list[Transition] = []
    for minute in range(4):
        alert = FIRING if minute % 2 == 0 else RESOLVED
        moment = T0 + timedelta(minutes=minute)
        state, found = apply_incoming(replace(alert, at=moment), state, moment, flap=flap)
        log.extend(found)
    assert [t.kind.value for t in log] == ["firing", "resolved", "flapping", "firing", "resolved"]
    assert told(log) == [("firing", T0), ("resolved", T0 + timedelta(minutes=1))]
    assert state is not None
    assert state.suppressed is Suppression.FLAPPING
