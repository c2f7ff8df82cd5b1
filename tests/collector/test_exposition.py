"""The wrapper around prometheus-client's parsers: bad expositions name their line; hypothesis
makes sure no text makes it raise anything but `ExpositionError`."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from steward.collector.exposition import (
    ExpositionError,
    ScrapedSample,
    is_openmetrics,
    parse_exposition,
)


def test_prometheus_text() -> None:
    parsed = parse_exposition('a 1\nb{x="y"} 2 1700000000000\nc +Inf\n')
    assert parsed.samples == [ScrapedSample("a", {}, 1.0), ScrapedSample("b", {"x": "y"}, 2.0)]
    assert parsed.not_finite == 1


def test_openmetrics_needs_its_end_marker() -> None:
    assert parse_exposition("a 1\n# EOF\n", openmetrics=True).samples == [
        ScrapedSample("a", {}, 1.0)
    ]
    with pytest.raises(ExpositionError, match="Missing # EOF"):
        parse_exposition("a 1\n", openmetrics=True)


def test_the_bad_line_is_named() -> None:
    with pytest.raises(ExpositionError) as caught:
        parse_exposition("ok 1\n# HELP fine\nbroken{x=1} 2\nlater 3\n")
    assert caught.value.line_number == 3
    assert str(caught.value) == "line 3 'broken{x=1} 2': Invalid labels: x=1"


def test_content_type() -> None:
    assert is_openmetrics("application/openmetrics-text; version=1.0.0; charset=utf-8")
    assert not is_openmetrics("text/plain; version=0.0.4")
    assert not is_openmetrics(None)


@settings(max_examples=200, deadline=None)  # CI machines are shared
@given(st.text(), st.booleans())
def test_any_text_parses_or_raises_exposition_error(text: str, openmetrics: bool) -> None:
    try:
        parsed = parse_exposition(text, openmetrics)
    except ExpositionError as exc:
        message = str(exc)
        parsed = None
    if parsed is None:
        assert message
    else:
        assert all(isinstance(sample.value, float) for sample in parsed.samples)


line = st.one_of(
    st.from_regex(r"\A[a-z_][a-z0-9_]{0,8}( |\{[a-z]{1,3}=\"[^\"\\\n]{0,5}\"\} )-?[0-9]{1,4}\Z"),
    st.text(alphabet=' #{}="\\\n01abTYPEHLPcounter', max_size=30),
)


@settings(max_examples=200, deadline=None)  # CI machines are shared
@given(st.lists(line, max_size=8), st.booleans())
def test_exposition_like_text(lines: list[str], openmetrics: bool) -> None:
    text = "\n".join(lines) + "\n" + ("# EOF\n" if openmetrics else "")
    line_number = 1
    try:
        parse_exposition(text, openmetrics)
    except ExpositionError as exc:
        line_number = exc.line_number or 1
    assert 1 <= line_number <= len(lines) + 2
