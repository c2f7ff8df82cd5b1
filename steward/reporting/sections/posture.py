"""Patch and security posture from the agents' facts (firewall, disk encryption, automatic
updates, pending security updates). Facts are the latest each agent reported, not a history:
the section says so, and says "not yet measured" when no agent reports a fact."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from steward.monitoring.choices import FactStatus
from steward.monitoring.models import AssetFact
from steward.reporting.sections.common import local
from steward.reporting.sections.registry import ReportContext, SectionData, section

NOT_MEASURED = "not yet measured"
# (fact name, label, the value that is good: True, or 0 for a count)
FACTS: tuple[tuple[str, str, Any], ...] = (
    ("firewall.active", "Host firewall active", True),
    ("disk.encryption", "Disk encryption", True),
    ("updates.automatic", "Automatic updates", True),
    ("os.pending_security_updates", "No pending security updates", 0),
)


def _good(value: Any, good: Any) -> bool:
    if good is True:
        return value is True
    return isinstance(value, int) and not isinstance(value, bool) and value <= good


@section(
    key="posture",
    title="Patch and security posture",
    order=600,
    template="reporting/sections/posture.html",
)
def posture(ctx: ReportContext) -> SectionData:
    """Per fact: assets reporting it as good, not good, unsupported; assets failing listed."""
    names = [name for name, _, _ in FACTS]
    facts = list(
        AssetFact.objects.filter(asset__client=ctx.client, name__in=names, at__lt=ctx.end)
        .select_related("asset")
        .order_by("asset__name", "name")
    )
    by_name: dict[str, list[AssetFact]] = defaultdict(list)
    for fact in facts:
        by_name[fact.name].append(fact)
    lines: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    for name, label, good in FACTS:
        found = by_name.get(name, [])
        measured = [f for f in found if f.status == FactStatus.OK]
        failing = [f for f in measured if not _good(f.value, good)]
        lines.append(
            {
                "label": label,
                "measured": len(measured),
                "good": len(measured) - len(failing),
                "unsupported": len(found) - len(measured),
                "failing": [f"{f.asset.name} ({f.detail or f.value})" for f in failing],
                "state": NOT_MEASURED if not measured else "",
            }
        )
        rows += [
            {
                "fact": name,
                "asset": f.asset.name,
                "value": f.value,
                "status": f.status,
                "good": _good(f.value, good) if f.status == FactStatus.OK else None,
                "reported_at": f.at,
            }
            for f in found
        ]
    latest = max((f.at for f in facts), default=None)
    measured_any = any(line["measured"] for line in lines)
    good = sum(line["good"] for line in lines)
    total = sum(line["measured"] for line in lines)
    return SectionData(
        data={"lines": lines, "latest": local(ctx, latest), "measured": measured_any},
        summary=[
            ("Security posture checks passing", f"{good} of {total}" if total else NOT_MEASURED)
        ],
        rows=rows,
        note=""
        if measured_any
        else "Patch and security posture: not yet measured (no agent "
        "reports these facts for this client).",
    )
