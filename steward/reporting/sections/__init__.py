"""Report sections; importing this package registers the built-in ones."""

from steward.reporting.sections import tickets  # noqa: F401  (registers)
from steward.reporting.sections.registry import (
    BuiltSection,
    ReportContext,
    Section,
    SectionData,
    section,
    sections,
)

__all__ = ["BuiltSection", "ReportContext", "Section", "SectionData", "section", "sections"]
