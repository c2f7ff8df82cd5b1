"""Filters of the report templates: percentages, durations, CSS strings for @page boxes."""

from __future__ import annotations

import base64
from decimal import Decimal

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from steward.reporting.sections.common import hours as _hours
from steward.reporting.sections.common import pct as _pct

register = template.Library()


@register.filter
def pct(value: Decimal | float | str | None) -> str:
    return _pct(value)


@register.filter
def hours(seconds: float | int | str | None) -> str:
    return _hours(seconds)


@register.filter
def hm(seconds: float | int | str | None) -> str:
    """Seconds as "h:mm" (e.g. "16:00") for narrow table cells; "-" when unknown."""
    if seconds is None or seconds == "":
        return "-"
    minutes = int(seconds) // 60
    return f"{minutes // 60}:{minutes % 60:02d}"


@register.filter
def css_string(value: object) -> str:
    """``value`` as the inside of a double-quoted CSS string (for ``content:`` in @page)."""
    text = str(value)
    out = []
    for char in text:
        if char in '"\\' or ord(char) < 0x20 or char in "<>&":
            out.append(f"\\{ord(char):06x}")
        else:
            out.append(char)
    return "".join(out)


@register.filter
def met_class(value: bool | None) -> str:
    return {True: "met", False: "breached"}.get(value, "no_data")  # type: ignore[arg-type]


@register.simple_tag
def chart(svg: str, alt: str) -> SafeString:
    """A chart as an ``<img>`` with the SVG as a data URI, on the web page and in the PDF alike.
    On the page, inline ``<svg>`` would carry matplotlib's inline styles, which the site's
    Content Security Policy blocks (black boxes); in the PDF, WeasyPrint draws the image as
    vectors with its SVG renderer instead of pushing every element's style through the HTML
    cascade (a second per report, and a warning per style)."""
    if not svg:
        return mark_safe("")
    data = base64.b64encode(svg.encode()).decode()
    return format_html(
        '<img class="rp-chart-img" alt="{}" src="data:image/svg+xml;base64,{}">', alt, data
    )
