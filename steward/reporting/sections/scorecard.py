"""The obligation scorecard of the month with its evidence, read from the stored evaluations
(``steward.obligations.scorecard``), as the scorecard page shows it."""

from __future__ import annotations

from typing import Any

from steward.obligations.choices import Status
from steward.obligations.scorecard import client_scorecard
from steward.reporting.sections.registry import ReportContext, SectionData, section

EVIDENCE_SHOWN = 5


@section(
    key="scorecard",
    title="Obligation scorecard",
    order=1000,
    template="reporting/sections/scorecard.html",
)
def scorecard(ctx: ReportContext) -> SectionData:
    """Every active obligation by area: value, target, status and its first evidence."""
    card = client_scorecard(ctx.client, ctx.period, trend_length=1)
    areas: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    counts: dict[str, int] = {}
    for area in card.areas:
        if not area.lines:
            continue
        lines = []
        for line in area.lines:
            ev = line.evaluation
            counts[line.status] = counts.get(line.status, 0) + 1
            evidence = line.evidence
            lines.append(
                {
                    "name": line.obligation.name,
                    "period": line.period.key,
                    "value": ev.value if ev else None,
                    "unit": line.unit,
                    "comparator": line.comparator,
                    "target": line.target,
                    "status": line.status,
                    "status_label": Status(line.status).label,
                    "note": line.note,
                    "evidence": evidence[:EVIDENCE_SHOWN],
                    "more": max(0, len(evidence) - EVIDENCE_SHOWN),
                }
            )
            rows.append(
                {
                    "obligation": line.obligation.pk,
                    "name": line.obligation.name,
                    "area": area.label,
                    "period": line.period.key,
                    "value": ev.value if ev else None,
                    "unit": line.unit,
                    "target": line.target,
                    "status": line.status,
                    "evidence": " | ".join(e.get("label", "") for e in evidence),
                }
            )
        areas.append({"number": area.number, "label": area.label, "lines": lines})
    total = sum(counts.values())
    return SectionData(
        data={"areas": areas, "counts": counts},
        summary=[("Obligations met", f"{counts.get('met', 0)} of {total}")] if total else [],
        rows=rows,
        note="" if total else "No obligations are recorded for this client yet.",
    )
