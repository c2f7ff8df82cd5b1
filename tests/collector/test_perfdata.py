"""Nagios perfdata and plugin output: examples from the Monitoring Plugins guidelines, bad parts
reported by name, and hypothesis: no crash on any text, and a round trip of valid perfdata."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from steward.collector.perfdata import (
    UNITS,
    PerfValue,
    format_perfdata,
    parse_perfdata,
    split_plugin_output,
)


def test_guideline_examples() -> None:
    parsed = parse_perfdata(
        "time=0.002722s;;;0.000000 size=5808B;;;0 'free space /var'=30%;20:;10:;0;100 "
        "'it''s'=U c=12c;@10:20;~:5"
    )
    assert parsed.errors == []
    assert parsed.values == [
        PerfValue("time", 0.002722, "s", min=0.0),
        PerfValue("size", 5808, "B", min=0),
        PerfValue("free space /var", 30, "%", "20:", "10:", 0, 100),
        PerfValue("it's", None),
        PerfValue("c", 12, "c", "@10:20", "~:5"),
    ]


def test_bad_parts_are_named_and_the_rest_kept() -> None:
    parsed = parse_perfdata("a=1 junk b=2parsecs c=3;x d=1;;;zero 'open=1 e=5;1;2;3;4;5 f=")
    assert parsed.values == [PerfValue("a", 1)]
    assert parsed.errors == [
        "perfdata 'junk': no '=' in this part",
        "perfdata 'b': unit 'parsecs' is not one of s ms us % B KB MB GB TB c",
        "perfdata 'c': warn 'x' is not a range",
        "perfdata 'd': min 'zero' is not a number",
        'perfdata "\'open=1 e=5;1;2;3;4;5 f=": unclosed quote',
    ]
    assert parse_perfdata("e=5;1;2;3;4;5 f=").errors == [
        "perfdata 'e': 6 fields, at most 5 (value;warn;crit;min;max)",
        "perfdata 'f': value '' is not a number or U",
    ]


def test_plugin_output_splits_first_line_long_text_and_perfdata() -> None:
    out = split_plugin_output("OK - fine | a=1\nline two\nline three | b=2\nc=3\n")
    assert out.summary == "OK - fine"
    assert out.long_text == "line two\nline three"
    assert out.perfdata == "a=1 b=2 c=3"
    assert split_plugin_output("") == split_plugin_output("\n")


@settings(max_examples=200, deadline=None)  # CI machines are shared
@given(st.text())
def test_parse_never_raises(text: str) -> None:
    parsed = parse_perfdata(text)
    assert all(isinstance(error, str) for error in parsed.errors)
    split_plugin_output(text)


numbers = st.floats(allow_nan=False, allow_infinity=False)
number_text = numbers.map(repr)
ranges = st.builds(
    lambda at, start, end: ("@" if at else "") + start + end,
    st.booleans(),
    st.one_of(st.just(""), st.just("~:"), number_text.map(lambda n: f"{n}:")),
    st.one_of(st.just(""), number_text),
).filter(lambda r: r.lstrip("@") not in ("", ":"))
labels = st.text(min_size=1).filter(lambda label: "=" not in label)
perf_values = st.builds(
    PerfValue,
    label=labels,
    value=st.one_of(st.none(), numbers),
    unit=st.sampled_from(("", *UNITS)),
    warn=st.one_of(st.none(), ranges),
    crit=st.one_of(st.none(), ranges),
    min=st.one_of(st.none(), numbers),
    max=st.one_of(st.none(), numbers),
)


@settings(max_examples=200, deadline=None)  # CI machines are shared
@given(st.lists(perf_values, max_size=5))
def test_round_trip(values: list[PerfValue]) -> None:
    parsed = parse_perfdata(format_perfdata(values))
    assert parsed.errors == []
    assert parsed.values == values
