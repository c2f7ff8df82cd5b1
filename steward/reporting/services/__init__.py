"""The reporting app's operations: build a client's monthly service report and render it.

The portal and the staff pages call these; schedules and delivery live in ``delivery``.
"""

from steward.reporting.services.build import (
    ReportError,
    ServiceReport,
    available_periods,
    build_service_report,
)
from steward.reporting.services.render import render_csv, render_html, render_pdf

__all__ = [
    "ReportError",
    "ServiceReport",
    "available_periods",
    "build_service_report",
    "render_csv",
    "render_html",
    "render_pdf",
]
