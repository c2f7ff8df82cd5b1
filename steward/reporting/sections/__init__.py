"""Report sections; importing this package registers the built-in ones, in report order."""

from steward.reporting.sections import (  # noqa: F401  (importing registers)
    alerts,
    availability,
    backlog,
    hours,
    improvement,
    posture,
    satisfaction,
    scorecard,
    sla,
    tickets,
)
from steward.reporting.sections.registry import (
    BuiltSection,
    ReportContext,
    Section,
    SectionData,
    section,
    sections,
)

__all__ = ["BuiltSection", "ReportContext", "Section", "SectionData", "section", "sections"]
