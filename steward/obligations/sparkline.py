"""A trend sparkline as plain SVG geometry, computed on the server (no JavaScript).

The template draws the result with SVG attributes only (the CSP forbids inline styles): one
polyline per unbroken run of values (a period without data breaks the line), a dot per value
classed by its status, and a dashed line at the target.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

WIDTH, HEIGHT, PAD = 120, 28, 3


@dataclass
class Dot:
    x: float
    y: float
    status: str
    title: str


@dataclass
class Sparkline:
    width: int
    height: int
    segments: list[str] = field(default_factory=list)  # "x,y x,y …" for each polyline
    dots: list[Dot] = field(default_factory=list)
    target_y: float | None = None


def sparkline(
    points: Sequence[tuple[str, Decimal | None, str]],
    target: Decimal | None = None,
    width: int = WIDTH,
    height: int = HEIGHT,
) -> Sparkline:
    """Geometry for ``points`` = [(period key, value or None, status)], oldest first."""
    values = [v for _, v, _ in points if v is not None]
    scale = values + ([target] if target is not None else [])
    low, high = (min(scale), max(scale)) if scale else (Decimal(0), Decimal(1))
    if high == low:
        low, high = low - 1, high + 1
    step = (width - 2 * PAD) / max(len(points) - 1, 1)

    def y_of(value: Decimal) -> float:
        share = float((value - low) / (high - low))
        return round(height - PAD - share * (height - 2 * PAD), 2)

    line = Sparkline(width, height, target_y=y_of(target) if target is not None else None)
    run: list[str] = []
    for i, (key, value, status) in enumerate(points):
        if value is None:
            if run:
                line.segments.append(" ".join(run))
            run = []
            continue
        x, y = round(PAD + i * step, 2), y_of(value)
        run.append(f"{x},{y}")
        line.dots.append(Dot(x, y, status, f"{key}: {value.normalize():f}"))
    if run:
        line.segments.append(" ".join(run))
    return line
