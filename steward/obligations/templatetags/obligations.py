"""Template helpers for scorecards: values with their unit, status labels, sparklines."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from steward.obligations.choices import Comparator, Status
from steward.obligations.sparkline import Sparkline, sparkline

register = template.Library()


@register.filter
def measured(value: Decimal | str | None, unit: str) -> str:
    """96.5 %, 4.6 /5, yes/no — or an em dash for no data (None, or "" from a missing row)."""
    if value is None or value == "":
        return "—"
    amount = Decimal(value)
    if unit == "yes/no":
        return "yes" if amount >= 1 else "no"
    number = f"{amount.normalize():f}"
    if unit == "%":
        return f"{number} %"
    return f"{number} {unit}".strip()


@register.filter
def status_label(status: str | None) -> str:
    return str(Status(status).label) if status else "Nothing promised"


@register.filter
def comparator_label(comparator: str) -> str:
    symbols: dict[str, str] = {
        Comparator.GTE: "≥",
        Comparator.LTE: "≤",
        Comparator.GT: ">",
        Comparator.LT: "<",
        Comparator.EQ: "=",
    }
    return symbols.get(comparator, comparator)


@register.filter
def target_text(target: Decimal, row: Any) -> str:
    """ "≥ 95 %"; for yes/no measures just "yes" (or "no"): a comparator would read oddly."""
    unit = getattr(row, "unit", "")
    comparator = getattr(row, "comparator", "")
    if unit == "yes/no":
        return measured(target, unit)
    return f"{comparator_label(comparator)} {measured(target, unit)}"


@register.inclusion_tag("obligations/_sparkline.html")
def trend_sparkline(line: Any) -> dict[str, Sparkline]:
    """The sparkline of a scorecard line's trend, against the target it was judged by."""
    points = [(p.period, p.value, p.status) for p in line.trend]
    return {"spark": sparkline(points, line.target)}


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key)
