"""Report charts as inline SVG drawn by matplotlib (Agg backend), small and quick.

matplotlib is imported on first use: loading it costs ~0.3 s that pages without charts should
not pay. Every figure is closed after drawing, so a long-running worker does not accumulate
them. Text stays text in the SVG (``svg.fonttype = none``): smaller files, and the PDF keeps
searchable labels.
"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

WIDTH_IN, HEIGHT_IN = 6.4, 2.4
PALETTE = ("#1f4e79", "#e8a33d", "#4c956c", "#b42318", "#7a5195", "#6c757d")
_lock = threading.Lock()  # pyplot's figure manager is global state; draw one figure at a time
_pyplot: Any = None


def _plt() -> Any:
    global _pyplot
    if _pyplot is None:
        # Imported here (see the module docstring): matplotlib is heavy and only charts need it.
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        plt.rcParams.update(
            {
                "svg.fonttype": "none",
                "svg.hashsalt": "steward",  # stable ids: the same report gives the same SVG
                "font.size": 8,
                "font.family": "DejaVu Sans",
                "axes.spines.top": False,
                "axes.spines.right": False,
                "axes.edgecolor": "#888888",
                "axes.titlesize": 9,
            }
        )
        _pyplot = plt
    return _pyplot


def _svg(fig: Any) -> str:
    out = io.StringIO()
    # Fixed margins (set by each chart), not bbox_inches="tight": that draws the figure twice.
    fig.savefig(out, format="svg", metadata={"Date": None})
    text = out.getvalue()
    # The XML prolog and DOCTYPE are not allowed inside HTML; keep the <svg> element only.
    return text[text.index("<svg") :]


def _new(colour: str = PALETTE[0]) -> tuple[Any, Any]:
    fig, ax = _plt().subplots(figsize=(WIDTH_IN, HEIGHT_IN))
    ax.grid(axis="y", color="#dddddd", linewidth=0.5)
    ax.set_axisbelow(True)
    return fig, ax


def stacked_bars(labels: Sequence[str], series: Mapping[str, Sequence[int]], ylabel: str) -> str:
    """Bars per label stacked by series (e.g. tickets per month by kind)."""
    with _lock:
        plt = _plt()
        fig, ax = _new()
        try:
            # Positions, not the labels themselves: "2026-10" would be read as a date.
            xs = list(range(len(labels)))
            bottom = [0] * len(labels)
            for index, (name, values) in enumerate(series.items()):
                ax.bar(xs, values, bottom=bottom, label=name, color=PALETTE[index % 6])
                bottom = [b + v for b, v in zip(bottom, values, strict=True)]
            ax.set_ylabel(ylabel)
            ax.set_xticks(xs, list(labels), rotation=45)
            ax.legend(loc="upper left", fontsize=7, frameon=False, ncol=len(series))
            ax.set_ylim(0, max([*bottom, 1]) * 1.25)
            fig.subplots_adjust(left=0.09, right=0.98, top=0.95, bottom=0.27)
            return _svg(fig)
        finally:
            plt.close(fig)


def lines_with_target(
    labels: Sequence[str],
    series: Mapping[str, Sequence[Decimal | float | None]],
    target: float | None,
) -> str:
    """Percentages per label (e.g. SLA attainment per month), with the target as a dashed line;
    a None value is a gap (no decided tickets that month)."""
    with _lock:
        plt = _plt()
        fig, ax = _new()
        try:
            xs = list(range(len(labels)))
            for index, (name, values) in enumerate(series.items()):
                ys = [float("nan") if v is None else float(v) for v in values]
                ax.plot(xs, ys, marker="o", markersize=3, label=name, color=PALETTE[index % 6])
            if target is not None:
                ax.axhline(target, color=PALETTE[3], linestyle="--", linewidth=1)
                ax.annotate(f"target {target:g} %", (xs[0], target), fontsize=7, va="bottom")
            ax.set_xticks(xs, list(labels), rotation=45)
            ax.set_ylim(min(0, (target or 0) - 5), 105)
            ax.set_ylabel("%")
            ax.legend(loc="lower left", fontsize=7, frameon=False, ncol=len(series))
            fig.subplots_adjust(left=0.09, right=0.98, top=0.95, bottom=0.27)
            return _svg(fig)
        finally:
            plt.close(fig)


def horizontal_bars(names: Sequence[str], values: Sequence[float], unit: str = "%") -> str:
    """One bar per name (e.g. availability per service), lowest values standing out."""
    with _lock:
        plt = _plt()
        height = max(1.2, 0.28 * len(names) + 0.6)
        fig, ax = _plt().subplots(figsize=(WIDTH_IN, height))
        try:
            colours = [PALETTE[3] if v < 99 else PALETTE[2] for v in values]
            ys = list(range(len(names)))
            ax.barh(ys, list(values), color=colours)
            ax.set_yticks(ys, list(names))
            ax.invert_yaxis()
            low = min([*values, 100.0])
            ax.set_xlim(max(0.0, low - (100 - low) * 0.5 - 1), 100)
            ax.set_xlabel(unit)
            for y, v in enumerate(values):
                ax.annotate(f"{v:.2f}", (v, y), fontsize=7, va="center", ha="right", color="white")
            # Room on the left for the longest service name (about 0.075 in per character).
            longest = max((len(n) for n in names), default=10)
            left = min(0.5, 0.04 + longest * 0.075 / WIDTH_IN)
            fig.subplots_adjust(left=left, right=0.98, top=0.97, bottom=0.5 / height)
            return _svg(fig)
        finally:
            plt.close(fig)


_ID = re.compile(r'id="([^"]+)"')


def scoped(svg: str, prefix: str) -> str:
    """The SVG with its element ids (and references to them) prefixed, so several charts in
    one HTML page do not clash on ids like ``patch_1``."""
    ids = set(_ID.findall(svg))
    for found in sorted(ids, key=len, reverse=True):
        svg = svg.replace(f'id="{found}"', f'id="{prefix}-{found}"')
        svg = svg.replace(f"#{found})", f"#{prefix}-{found})").replace(
            f'"#{found}"', f'"#{prefix}-{found}"'
        )
    return svg
