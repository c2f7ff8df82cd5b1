"""Message templates: default files per notice kind, overridden by the MSP's rows.

The files live in ``templates/notify/messages/<kind>/`` (``subject.txt``, ``body.txt`` and an
optional ``body.html``); a kind without its own subject or text uses ``_default/``, and one
without ``body.html`` sends plain text only. Text parts are
rendered without HTML escaping (they are mail text and chat messages); the HTML part is
escaped and wrapped in the branded layout ``layout.html``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache, lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template import Context, Engine, Template, TemplateSyntaxError

from steward.core.branding import branding
from steward.notify.events import Notice, NoticeKind
from steward.notify.models import MessageTemplate
from steward.tenancy.models import Client

MESSAGES = Path(__file__).parent / "templates" / "notify" / "messages"
PARTS = ("subject", "text", "html")
FILES = {"subject": "subject.txt", "text": "body.txt", "html": "body.html"}
SUBJECT_MAX = 300

TEXT_ENGINE = Engine(autoescape=False)
HTML_ENGINE = Engine(autoescape=True)


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


@cache
def default_source(kind: str, part: str) -> str:
    """The shipped template of ``part`` for ``kind`` ("" when the kind has no HTML part)."""
    for folder in (MESSAGES / kind, MESSAGES / "_default"):
        path = folder / FILES[part]
        if path.exists():
            return path.read_text()
    return ""  # no HTML part: plain-text mail only


def sources(kind: str) -> dict[str, str]:
    """The templates in force for ``kind``: the MSP's override where it has one."""
    found = {part: default_source(kind, part) for part in PARTS}
    row = MessageTemplate.objects.filter(kind=kind).first()
    if row is not None:
        found |= {part: getattr(row, part) for part in PARTS if getattr(row, part).strip()}
    return found


def local_time(moment: datetime, zone_name: str) -> str:
    """An instant on the client's wall clock, with the UTC instant for the record."""
    zone = ZoneInfo(zone_name or "UTC")
    local = moment.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")
    return f"{local} ({moment.astimezone(ZoneInfo('UTC')):%Y-%m-%d %H:%M} UTC)"


def context_for(notice: Notice, client: Client | None) -> dict[str, Any]:
    base = getattr(settings, "STEWARD_BASE_URL", "").rstrip("/")
    link = f"{base}{notice.url}" if notice.url.startswith("/") else notice.url
    values: dict[str, Any] = {k: v for k, v in notice.context.items() if isinstance(k, str)}
    return values | {
        "notice": {
            "kind": notice.kind,
            "kind_label": NoticeKind(notice.kind).label,
            "subject": notice.subject,
            "body": notice.body,
            "priority": notice.priority,
            "url": notice.url,
            "at": notice.at,
            "at_local": local_time(notice.at, client.timezone if client else "UTC"),
        },
        "client": client,
        "link": link,
        "brand": branding(),
    }


@lru_cache(maxsize=256)
def _compiled(html: bool, source: str) -> Template:
    # Compiling is most of a render's cost; an edited template is a new source, a new entry.
    return (HTML_ENGINE if html else TEXT_ENGINE).from_string(source)


def _render(engine: Engine, source: str, values: dict[str, Any]) -> str:
    return _compiled(engine is HTML_ENGINE, source).render(Context(values))


def render_sources(found: dict[str, str], values: dict[str, Any]) -> Rendered:
    subject = " ".join(_render(TEXT_ENGINE, found["subject"], values).split())
    text = _render(TEXT_ENGINE, found["text"], values).strip() + "\n"
    html = ""
    if found["html"].strip():
        inner = _render(HTML_ENGINE, found["html"], values)
        layout = default_source("_layout", "html") or "{{ inner }}"
        html = _render(HTML_ENGINE, layout, values | {"inner": inner})
    return Rendered(subject[:SUBJECT_MAX] or "(no subject)", text, html)


def render(notice: Notice, client: Client | None) -> tuple[Rendered, str]:
    """The message for ``notice`` and a problem note ("" when none). An override that fails to
    render falls back to the shipped files, so a bad edit never loses a notice."""
    values = context_for(notice, client)
    try:
        return render_sources(sources(notice.kind), values), ""
    except Exception as exc:  # any template error: fall back to the files, say why
        defaults = {part: default_source(notice.kind, part) for part in PARTS}
        note = f"the MSP's template failed ({exc}); the default was used"
        return render_sources(defaults, values), note


def validate_sources(found: dict[str, str]) -> None:
    """Compile each part; a syntax error is a ValidationError naming the part."""
    errors = {}
    for part, source in found.items():
        engine = HTML_ENGINE if part == "html" else TEXT_ENGINE
        try:
            engine.from_string(source)
        except TemplateSyntaxError as exc:
            errors[part] = f"template syntax error: {exc}"
    if errors:
        raise ValidationError(errors)
