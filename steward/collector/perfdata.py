"""Nagios plugin output and performance data, per the Monitoring Plugins development guidelines
(https://www.monitoring-plugins.org/doc/guidelines.html#AEN200):

    'label'=value[UOM];[warn];[crit];[min];[max]

space separated; a label needs single quotes when it holds spaces, and a quote inside a quoted
label is written twice. UOM is one of s ms us % B KB MB GB TB c (or none); the value `U` means
"could not be determined". Parsing never raises: a bad part is reported by name and skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

UNITS = ("s", "ms", "us", "%", "B", "KB", "MB", "GB", "TB", "c")
_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_NUMBER_RE = re.compile(rf"^{_NUMBER}$")
_VALUE_RE = re.compile(rf"^(?P<value>{_NUMBER}|U)(?P<unit>[a-zA-Z%]*)$")
_RANGE_RE = re.compile(rf"^@?(?:(?:~|{_NUMBER})?:)?(?:{_NUMBER})?$")


@dataclass(frozen=True, slots=True)
class PerfValue:
    """One performance value; `value` None is the guidelines' `U` (undetermined). Thresholds
    stay in their range syntax (`10`, `10:`, `~:10`, `@10:20`)."""

    label: str
    value: float | None
    unit: str = ""
    warn: str | None = None
    crit: str | None = None
    min: float | None = None
    max: float | None = None


@dataclass(frozen=True, slots=True)
class Perfdata:
    values: list[PerfValue] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class PluginOutput:
    """A plugin's standard output split the Nagios way: the first line's text, the long text of
    the following lines, and all performance data (after the `|` on the first line, and after
    the first `|` in the long text, to the end)."""

    summary: str
    long_text: str
    perfdata: str


def split_plugin_output(text: str) -> PluginOutput:
    lines = text.splitlines()
    if not lines:
        return PluginOutput("", "", "")
    summary, _, perf = lines[0].partition("|")
    long_lines: list[str] = []
    perf_parts = [perf]
    for number, line in enumerate(lines[1:], start=1):
        before, pipe, after = line.partition("|")
        if pipe:
            long_lines.append(before)
            perf_parts.append(after)
            perf_parts.extend(lines[number + 1 :])
            break
        long_lines.append(line)
    long_text = "\n".join(long_lines).strip()
    return PluginOutput(summary.strip(), long_text, " ".join(p.strip() for p in perf_parts).strip())


def parse_perfdata(text: str) -> Perfdata:
    """Every well-formed value in `text`, and one error per bad part naming it and why."""
    values: list[PerfValue] = []
    errors: list[str] = []
    position = 0
    while True:
        position = _skip_space(text, position)
        if position >= len(text):
            break
        label, position, error = _read_label(text, position)
        end = _next_space(text, position)
        if error is None:
            assert label is not None
            parsed = _parse_fields(label, text[position:end])
            if isinstance(parsed, PerfValue):
                values.append(parsed)
            else:
                error = parsed
        if error is not None:
            errors.append(error)
        position = end
    return Perfdata(values, errors)


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position].isspace():
        position += 1
    return position


def _next_space(text: str, position: int) -> int:
    while position < len(text) and not text[position].isspace():
        position += 1
    return position


def _read_label(text: str, position: int) -> tuple[str | None, int, str | None]:
    """(label, position after its `=`, error); on error the position is where to skip from."""
    if text[position] == "'":
        chars: list[str] = []
        position += 1
        while True:
            quote = text.find("'", position)
            if quote < 0:
                return None, len(text), f"perfdata {text[position - 1 :][:40]!r}: unclosed quote"
            chars.append(text[position:quote])
            if text.startswith("''", quote):
                chars.append("'")
                position = quote + 2
                continue
            position = quote + 1
            break
        label = "".join(chars)
        if not text.startswith("=", position):
            return None, position, f"perfdata label {label!r}: '=' expected after the quote"
        return label, position + 1, None
    end = _next_space(text, position)
    equals = text.find("=", position, end)
    if equals < 0:
        return None, position, f"perfdata {text[position:end][:40]!r}: no '=' in this part"
    return text[position:equals], equals + 1, None


def _parse_fields(label: str, spec: str) -> PerfValue | str:
    """The part after `label=`: value[UOM];[warn];[crit];[min];[max]; an error text if bad."""
    where = f"perfdata {label!r}"
    if not label:
        return f"{where}: empty label"
    fields = spec.split(";")
    if len(fields) > 5:
        return f"{where}: {len(fields)} fields, at most 5 (value;warn;crit;min;max)"
    fields += [""] * (5 - len(fields))
    match = _VALUE_RE.match(fields[0])
    if match is None:
        return f"{where}: value {fields[0]!r} is not a number or U"
    unit = match["unit"]
    if unit not in ("", *UNITS):
        return f"{where}: unit {unit!r} is not one of {' '.join(UNITS)}"
    thresholds: list[str | None] = []
    for name, raw in (("warn", fields[1]), ("crit", fields[2])):
        if raw and (not _RANGE_RE.match(raw) or raw.lstrip("@") in ("", ":")):
            return f"{where}: {name} {raw!r} is not a range"
        thresholds.append(raw or None)
    bounds: list[float | None] = []
    for name, raw in (("min", fields[3]), ("max", fields[4])):
        if raw and not _NUMBER_RE.match(raw):
            return f"{where}: {name} {raw!r} is not a number"
        bounds.append(float(raw) if raw else None)
    value = None if match["value"] == "U" else float(match["value"])
    return PerfValue(label, value, unit, thresholds[0], thresholds[1], bounds[0], bounds[1])


def format_perfdata(values: Iterable[PerfValue]) -> str:
    """The text form of `values`; `parse_perfdata` reads it back to the same values."""
    return " ".join(_format_one(value) for value in values)


def _format_one(item: PerfValue) -> str:
    label = item.label
    if not label or any(ch.isspace() or ch in "'=" for ch in label):
        label = "'" + label.replace("'", "''") + "'"
    fields = [
        ("U" if item.value is None else repr(item.value)) + item.unit,
        item.warn or "",
        item.crit or "",
        "" if item.min is None else repr(item.min),
        "" if item.max is None else repr(item.max),
    ]
    while len(fields) > 1 and not fields[-1]:
        fields.pop()
    return f"{label}={';'.join(fields)}"
