"""Alert severity to ticket priority: the default table, as a pure function.

| severity | ticket priority |
|---|---|
| critical | P1 |
| major | P2 |
| minor | P3 |
| warning | P4 |
| info | no ticket (the alert is recorded and shown only) |

An agreement may override the table (``overrides``), e.g. a client whose servers are all P1.
"""

from __future__ import annotations

from collections.abc import Mapping

from .model import Severity

DEFAULT_PRIORITIES: Mapping[Severity, str | None] = {
    Severity.CRITICAL: "P1",
    Severity.MAJOR: "P2",
    Severity.MINOR: "P3",
    Severity.WARNING: "P4",
    Severity.INFO: None,
}


def ticket_priority(
    severity: Severity, overrides: Mapping[Severity, str | None] | None = None
) -> str | None:
    """The ticket priority (``P1``..``P4``) for an alert of ``severity``; None: open no ticket."""
    if overrides is not None and severity in overrides:
        return overrides[severity]
    return DEFAULT_PRIORITIES[severity]
