"""What a service and the whole page say now: pure functions of the check states."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from steward.monitoring.choices import CheckStatus


class ServiceState(StrEnum):
    OPERATIONAL = "operational"
    DEGRADED = "degraded"
    DOWN = "down"
    MAINTENANCE = "maintenance"
    UNKNOWN = "unknown"


LABELS = {
    ServiceState.OPERATIONAL: "Operational",
    ServiceState.DEGRADED: "Degraded performance",
    ServiceState.DOWN: "Outage",
    ServiceState.MAINTENANCE: "Under maintenance",
    ServiceState.UNKNOWN: "No current data",
}


class Overall(StrEnum):
    OPERATIONAL = "operational"
    PARTIAL_OUTAGE = "partial_outage"
    MAJOR_OUTAGE = "major_outage"
    MAINTENANCE = "maintenance"


HEADLINES = {
    Overall.OPERATIONAL: "All systems operational",
    Overall.PARTIAL_OUTAGE: "Partial outage",
    Overall.MAJOR_OUTAGE: "Major outage",
    Overall.MAINTENANCE: "Under maintenance",
}


def service_state(check_state: str | None, stale: bool, in_maintenance: bool) -> ServiceState:
    """A service's state from its check's current state. Maintenance wins (an outage inside a
    planned window is expected); a state older than its staleness is no longer known."""
    if in_maintenance:
        return ServiceState.MAINTENANCE
    if check_state is None or stale:
        return ServiceState.UNKNOWN
    return {
        CheckStatus.OK: ServiceState.OPERATIONAL,
        CheckStatus.WARNING: ServiceState.DEGRADED,
        CheckStatus.CRITICAL: ServiceState.DOWN,
    }.get(CheckStatus(check_state), ServiceState.UNKNOWN)


def overall(states: Sequence[ServiceState], maintenance_now: bool) -> Overall:
    """The page's headline.

    1. Major outage: at least half of the services with a known state are down.
    2. Partial outage: any service is down or degraded.
    3. Under maintenance: a window shown to the client is in force, or a service is in one.
    4. Otherwise all systems operational (unknown services do not raise an alarm).
    """
    known = [s for s in states if s not in (ServiceState.UNKNOWN, ServiceState.MAINTENANCE)]
    down = sum(s is ServiceState.DOWN for s in known)
    if down and down * 2 >= len(known):
        return Overall.MAJOR_OUTAGE
    if down or ServiceState.DEGRADED in known:
        return Overall.PARTIAL_OUTAGE
    if maintenance_now or ServiceState.MAINTENANCE in states:
        return Overall.MAINTENANCE
    return Overall.OPERATIONAL
