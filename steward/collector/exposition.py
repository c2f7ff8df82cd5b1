"""Prometheus text and OpenMetrics expositions, read with prometheus-client's own parsers. The
wrapper turns whatever those raise into one `ExpositionError` that names the offending line."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from prometheus_client.metrics_core import Metric
from prometheus_client.openmetrics.parser import (
    text_string_to_metric_families as openmetrics_families,
)
from prometheus_client.parser import text_string_to_metric_families as prometheus_families

OPENMETRICS_TYPE = "application/openmetrics-text"
ACCEPT = f"{OPENMETRICS_TYPE};version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"


@dataclass(frozen=True, slots=True)
class ScrapedSample:
    name: str
    labels: dict[str, str]
    value: float


@dataclass(frozen=True, slots=True)
class Exposition:
    samples: list[ScrapedSample] = field(default_factory=list)
    not_finite: int = 0  # NaN and infinities: JSON cannot carry them


class ExpositionError(ValueError):
    def __init__(self, reason: str, line_number: int | None = None, line: str = "") -> None:
        where = f"line {line_number} {line[:80]!r}: " if line_number else ""
        super().__init__(f"{where}{reason}")
        self.line_number = line_number
        self.line = line


def is_openmetrics(content_type: str | None) -> bool:
    return (content_type or "").split(";")[0].strip().lower() == OPENMETRICS_TYPE


def parse_exposition(text: str, openmetrics: bool = False) -> Exposition:
    """The samples of an exposition, names and labels verbatim; `ExpositionError` if malformed."""
    parse = openmetrics_families if openmetrics else prometheus_families
    try:
        families = list(parse(text))
    except Exception as exc:  # the parsers raise ValueError, IndexError, KeyError … on bad input
        raise _locate(text, parse, openmetrics, exc) from exc
    return _flatten(families)


def _flatten(families: Iterable[Metric]) -> Exposition:
    samples: list[ScrapedSample] = []
    not_finite = 0
    for family in families:
        for sample in family.samples:
            value = float(sample.value)
            if not math.isfinite(value):
                not_finite += 1
                continue
            samples.append(ScrapedSample(sample.name, dict(sample.labels), value))
    return Exposition(samples, not_finite)


def _locate(
    text: str, parse: Callable[[str], Iterable[Metric]], openmetrics: bool, exc: Exception
) -> ExpositionError:
    """Find the first line that fails on its own (the parsers do not say which line it was);
    when every line is fine alone the fault is in their order or the end marker."""
    reason = f"{type(exc).__name__}: {exc}" if not isinstance(exc, ValueError) else str(exc)
    lines = text.split("\n")
    for number, line in enumerate(lines, start=1):
        if not line.strip() or (openmetrics and line == "# EOF"):
            continue
        probe = f"{line}\n# EOF\n" if openmetrics else f"{line}\n"
        try:
            list(parse(probe))
        except Exception as line_exc:
            return ExpositionError(str(line_exc) or reason, number, line)
    last = len(lines) - (1 if lines and lines[-1] == "" else 0)
    return ExpositionError(reason, max(last, 1), lines[last - 1] if last else "")
