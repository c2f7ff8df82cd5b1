"""The MSP's branding (name, logo, colours) for the portal, status pages, reports and mails.

One place reads the settings, so every client-facing surface looks the same. A logo that
cannot be read, or a colour that is not ``#rrggbb``, falls back to the default rather than
breaking a page; ``steward check``-style validation belongs to the operator docs.
"""

from __future__ import annotations

import base64
import mimetypes
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
DEFAULT_COLOUR = "#1f4e79"
DEFAULT_ACCENT = "#e8a33d"


@dataclass(frozen=True)
class Branding:
    name: str
    colour: str
    accent: str
    logo_data_uri: str  # "" when no logo is set: templates show the name instead

    @property
    def has_logo(self) -> bool:
        return bool(self.logo_data_uri)


def _colour(value: str, default: str) -> str:
    return value if HEX_COLOUR.match(value or "") else default


def _data_uri(path: str) -> str:
    """The logo inlined as a data: URI, so HTML, PDF (WeasyPrint) and mail use one source."""
    if not path:
        return ""
    file = Path(path)
    kind = mimetypes.guess_type(file.name)[0]
    if kind not in {"image/svg+xml", "image/png", "image/jpeg"}:
        return ""
    try:
        data = file.read_bytes()
    except OSError:
        return ""
    return f"data:{kind};base64,{base64.b64encode(data).decode()}"


@cache
def _branding(name: str, logo: str, colour: str, accent: str) -> Branding:
    return Branding(
        name=name,
        colour=_colour(colour, DEFAULT_COLOUR),
        accent=_colour(accent, DEFAULT_ACCENT),
        logo_data_uri=_data_uri(logo),
    )


def branding() -> Branding:
    """The current branding (cached per settings value, so override_settings works in tests)."""
    return _branding(
        str(settings.STEWARD_MSP_NAME),
        str(getattr(settings, "STEWARD_MSP_LOGO", "")),
        str(getattr(settings, "STEWARD_MSP_COLOUR", DEFAULT_COLOUR)),
        str(getattr(settings, "STEWARD_MSP_ACCENT", DEFAULT_ACCENT)),
    )
