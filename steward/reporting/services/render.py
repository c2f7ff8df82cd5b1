"""Rendering a service report: an HTML fragment or document, a PDF (WeasyPrint) and a CSV."""

from __future__ import annotations

import csv
import io
import logging
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string

from steward.reporting.services.build import ReportError, ServiceReport

PAPERS = {"a4": "A4", "letter": "letter"}
# WeasyPrint logs each layout step at INFO: a dozen lines per PDF, hundreds for a batch.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def render_html(report: ServiceReport, *, standalone: bool = False) -> str:
    """The report as HTML: a fragment to embed in a page of the shell or the portal, or (with
    ``standalone``) a full document with its print styles, as the PDF is made from."""
    context = {"report": report, "brand": report.brand, "paper": "A4"}
    if standalone:
        return render_to_string("reporting/document.html", context)
    return render_to_string("reporting/report.html", context)


def _document(report: ServiceReport, paper: str) -> str:
    context = {
        "report": report,
        "brand": report.brand,
        "paper": PAPERS[paper],
    }
    return render_to_string("reporting/document.html", context)


def render_pdf(report: ServiceReport, *, paper: str = "a4") -> bytes:
    """The report as a PDF on ``paper`` ("a4" or "letter")."""
    if paper not in PAPERS:
        raise ReportError(f"paper: {paper!r} is not a paper size (use a4 or letter)")
    # Imported here: WeasyPrint loads Pango and its fonts (~0.5 s), which the web and the
    # worker should pay only when a PDF is made.
    from weasyprint import HTML

    pdf = HTML(string=_document(report, paper)).write_pdf()
    assert pdf is not None  # write_pdf returns bytes when no target is given
    return bytes(pdf)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def render_csv(report: ServiceReport) -> bytes:
    """The rows behind the report in one CSV: a ``section`` column, then the union of every
    section's columns in order of first appearance (cells of other sections stay empty).
    Times are ISO 8601 in UTC; UTF-8 with a BOM so spreadsheet programs read accents."""
    columns: list[str] = ["section"]
    for built in report.sections:
        for row in built.result.rows:
            columns.extend(k for k in row if k not in columns)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    for built in report.sections:
        for row in built.result.rows:
            writer.writerow({"section": built.key, **{k: _cell(v) for k, v in row.items()}})
    return ("\ufeff" + out.getvalue()).encode()
