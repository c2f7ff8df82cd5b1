from __future__ import annotations

import platform

from hypothesis import given
from hypothesis import strategies as st

from steward.agent.osrelease import parse_os_release, render_os_release
from tests.agent.conftest import sample


def test_debian_12_as_captured() -> None:
    info = parse_os_release(sample("os-release.debian12"))
    assert info["NAME"] == "Debian GNU/Linux"
    assert info["VERSION_ID"] == "12"
    assert info["PRETTY_NAME"] == "Debian GNU/Linux 12 (bookworm)"
    assert info["ID"] == "debian"


def test_quoting_comments_and_junk() -> None:
    text = (
        "# a comment\n"
        "NAME='Single Quoted'\n"
        'PRETTY_NAME="Say \\"hi\\" for \\$5"\n'
        "ID=ubuntu\n"
        "not a setting\n"
        "\n"
        "ID_LIKE=debian\n"
    )
    assert parse_os_release(text) == {
        "NAME": "Single Quoted",
        "PRETTY_NAME": 'Say "hi" for $5',
        "ID": "ubuntu",
        "ID_LIKE": "debian",
    }


def test_agrees_with_the_standard_library_on_this_machine() -> None:
    with open("/etc/os-release", encoding="utf-8") as file:
        assert parse_os_release(file.read()) == platform.freedesktop_os_release()


@given(st.text())
def test_any_text_parses_without_crashing(text: str) -> None:
    assert isinstance(parse_os_release(text), dict)


# Values are one line each (os-release has no multi-line values).
single_line = st.text(
    alphabet=st.characters(blacklist_categories=["Cs", "Zl", "Zp", "Cc"]), max_size=40
)


@given(st.dictionaries(st.from_regex(r"[A-Z_][A-Z0-9_]{0,15}", fullmatch=True), single_line))
def test_render_then_parse_round_trips(info: dict[str, str]) -> None:
    assert parse_os_release(render_os_release(info)) == info
