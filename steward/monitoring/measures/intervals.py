"""Check results as state intervals: how long a check was up, down or unknown in a span.

A result's state holds from its instant until the next result, but not longer than
``stale_after``: a check whose collector stopped reporting is not known to be up. Time before a
check's first result, after its last one has gone stale, or in an unknown/pending state is
*unknown*; availability is computed over the known time only, and the unknown time is stated.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from steward.monitoring.choices import CheckStatus

UP = frozenset({CheckStatus.OK})
DOWN = frozenset({CheckStatus.CRITICAL})


@dataclass
class Durations:
    """Seconds up, down and unknown in the span, and the outages (down intervals, clipped)."""

    up: float = 0.0
    down: float = 0.0
    unknown: float = 0.0
    outages: list[tuple[datetime, datetime]] = field(default_factory=list)

    @property
    def known(self) -> float:
        return self.up + self.down


def durations(
    results: Sequence[tuple[datetime, str]],
    start: datetime,
    end: datetime,
    stale_after: timedelta,
    warning_is_up: bool = True,
) -> Durations:
    """Split ``[start, end)`` into up, down and unknown time from ``results``: (instant, state)
    ascending, including the last result before ``start`` (it says how the span began).

    1. Each result covers ``[at, min(next at, at + stale_after))``, clipped to the span.
    2. ok (and warning when ``warning_is_up``) is up, critical (and warning otherwise) is down,
       any other state is unknown; so is every instant no result covers.
    """
    if end <= start:
        return Durations()
    up_states = UP | {CheckStatus.WARNING} if warning_is_up else UP
    down_states = DOWN if warning_is_up else DOWN | {CheckStatus.WARNING}
    out = Durations()
    covered = 0.0
    for index, (at, state) in enumerate(results):
        following = results[index + 1][0] if index + 1 < len(results) else None
        until = at + stale_after if following is None else min(following, at + stale_after)
        lo, hi = max(at, start), min(until, end)
        if hi <= lo:
            continue
        seconds = (hi - lo).total_seconds()
        covered += seconds
        if state in up_states:
            out.up += seconds
        elif state in down_states:
            out.down += seconds
            _add_outage(out.outages, lo, hi)
        else:
            out.unknown += seconds
    out.unknown += (end - start).total_seconds() - covered
    return out


def _add_outage(outages: list[tuple[datetime, datetime]], lo: datetime, hi: datetime) -> None:
    """Consecutive down results make one outage."""
    if outages and outages[-1][1] == lo:
        outages[-1] = (outages[-1][0], hi)
    else:
        outages.append((lo, hi))
