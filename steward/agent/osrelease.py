"""Parsing /etc/os-release (freedesktop os-release(5)).

The grammar is the one `platform.freedesktop_os_release` uses, kept here as a pure function of the
text so it can be tested on any input and fed captured files.
"""

from __future__ import annotations

import re

OS_RELEASE_PATHS = ("/etc/os-release", "/usr/lib/os-release")

_LINE = re.compile(r"^(?P<name>[a-zA-Z0-9_]+)=(?P<quote>[\"']?)(?P<value>.*)(?P=quote)$")
_ESCAPED = re.compile(r"\\([\\\$\"\'`])")


def parse_os_release(text: str) -> dict[str, str]:
    """KEY=value pairs of an os-release file; comments, blank and malformed lines are skipped."""
    info: dict[str, str] = {}
    for line in text.splitlines():
        match = _LINE.match(line.strip())
        if match:
            info[match["name"]] = _ESCAPED.sub(r"\1", match["value"])
    return info


def render_os_release(info: dict[str, str]) -> str:
    """The inverse of `parse_os_release`: every value double-quoted with shell escapes."""
    lines = []
    for name, value in info.items():
        escaped = re.sub(r"([\\\$\"`])", r"\\\1", value)
        lines.append(f'{name}="{escaped}"')
    return "\n".join(lines) + "\n"
