from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from steward.agent.apt import parse_apt_simulation
from tests.agent.conftest import sample


def test_debian_12_upgrade_simulation_as_captured() -> None:
    updates = parse_apt_simulation(sample("apt-get-s-upgrade.debian12.txt"))
    assert len(updates) == 129  # "129 upgraded" in the same output
    assert sum(update.security for update in updates) == 78
    liblzma = next(update for update in updates if update.package == "liblzma5")
    assert liblzma.current == "5.4.1-1"
    assert liblzma.candidate == "5.4.1-1+deb12u2"
    assert liblzma.security
    bash = next(update for update in updates if update.package == "bash")
    assert not bash.security
    assert bash.origins == "Debian:12.15/oldstable [amd64]"


def test_ubuntu_lines_and_new_packages() -> None:
    text = (
        "Inst libssl3 [3.0.2-0ubuntu1.10] (3.0.2-0ubuntu1.12 Ubuntu:22.04/jammy-updates, "
        "Ubuntu:22.04/jammy-security [amd64])\n"
        "Inst linux-image-5.15.0-91-generic (5.15.0-91.101 Ubuntu:22.04/jammy-updates [amd64])\n"
        "Conf libssl3 (3.0.2-0ubuntu1.12 Ubuntu:22.04/jammy-updates [amd64])\n"
        "Inst snapd [2.58+22.04] (2.61.3+22.04 Ubuntu:22.04/jammy-updates [amd64]) []\n"
    )
    updates = parse_apt_simulation(text)
    assert [(u.package, u.current, u.security) for u in updates] == [
        ("libssl3", "3.0.2-0ubuntu1.10", True),
        ("linux-image-5.15.0-91-generic", None, False),
        ("snapd", "2.58+22.04", False),
    ]


def test_nothing_to_upgrade() -> None:
    text = (
        "Reading package lists...\n0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n"
    )
    assert parse_apt_simulation(text) == []


@given(st.text())
def test_any_text_parses_without_crashing(text: str) -> None:
    for update in parse_apt_simulation(text):
        assert update.package
        assert update.candidate


package_names = st.from_regex(r"[a-z0-9][a-z0-9.+-]{0,20}", fullmatch=True)
versions = st.from_regex(r"[0-9][A-Za-z0-9.+~:-]{0,15}", fullmatch=True)
origins = st.text(
    alphabet=st.characters(min_codepoint=32, max_codepoint=126, blacklist_characters="()[]"),
    max_size=30,
)


@given(st.lists(st.tuples(package_names, st.one_of(st.none(), versions), versions, origins)))
def test_every_inst_line_is_one_update(
    lines: list[tuple[str, str | None, str, str]],
) -> None:
    text = "\n".join(
        f"Inst {name}{'' if current is None else f' [{current}]'} ({candidate} {origin} [amd64])"
        for name, current, candidate, origin in lines
    )
    updates = parse_apt_simulation(text)
    assert [(u.package, u.current, u.candidate) for u in updates] == [
        (name, current, candidate) for name, current, candidate, _ in lines
    ]
