"""Mail bodies as timeline text: sanitised HTML turned into plain text, and the quoted history
of a reply cut off where it can be recognised."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

# The line our outgoing mail starts with; everything below it in a reply is history.
REPLY_MARKER = "##- Please type your reply above this line -##"

BLOCKS = frozenset(
    {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "hr"}
)
SKIPPED = frozenset({"script", "style", "head", "title"})
# Where the history of a reply starts, as the common mail programs write it.
HISTORY_STARTS = (
    re.compile(re.escape(REPLY_MARKER)),
    re.compile(r"^On\s[^\n]{1,300}(?:\n[^\n]{0,200})?\swrote:\s*$", re.MULTILINE),
    re.compile(r"^Am\s.{1,300}\sschrieb\s.{0,100}:\s*$", re.MULTILINE),
    re.compile(r"^-{2,}\s*Original Message\s*-{2,}\s*$", re.MULTILINE | re.IGNORECASE),
    re.compile(r"^_{20,}\s*\n\s*From:", re.MULTILINE),  # Outlook's rule above its header block
    re.compile(r"^From:\s.*\n(?:Sent|Date):\s", re.MULTILINE),
)


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED:
            self.skipping += 1
        elif tag in BLOCKS:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("- ")

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """Readable text of ``html`` (expected already sanitised): blocks become lines."""
    if not html:
        return ""
    parser = _TextParser()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # HTMLParser is lenient, but never let a body break the intake
        return unescape(re.sub(r"<[^>]*>", " ", html)).strip()
    lines = [" ".join(line.split()) for line in "".join(parser.parts).splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def strip_quoted(text: str) -> str:
    """``text`` without the quoted history of earlier messages, where recognisable: cut at the
    first history marker, then drop trailing ``>`` lines. Never returns empty for a non-empty
    text (a message that is all quote is kept whole)."""
    cut = len(text)
    for pattern in HISTORY_STARTS:
        found = pattern.search(text)
        if found is not None:
            cut = min(cut, found.start())
    lines = text[:cut].rstrip().splitlines()
    while lines and (lines[-1].lstrip().startswith(">") or not lines[-1].strip()):
        lines.pop()
    stripped = "\n".join(lines).strip()
    return stripped or text.strip()
