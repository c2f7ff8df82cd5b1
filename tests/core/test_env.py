"""Typed environment readers: bad values fail loudly and name the variable."""

from __future__ import annotations

import os
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given
from hypothesis import strategies as st

from steward.core.env import FALSE_WORDS, TRUE_WORDS, ConfigError, envbool, envint, envlist, envstr

NAME = "STEWARD_TEST_SETTING"
env_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=20
)


def with_env(value: str | None) -> mock._patch_dict:  # type: ignore[type-arg]
    values = {} if value is None else {NAME: value}
    patcher = mock.patch.dict(os.environ, values)
    if value is None:
        os.environ.pop(NAME, None)
    return patcher


@pytest.mark.parametrize("raw", ["maybe", "2", "enabled", "tru"])
def test_envbool_rejects_other_words_naming_the_variable(raw: str) -> None:
    with with_env(raw), pytest.raises(ConfigError, match=f"{NAME}={raw!r}"):
        envbool(NAME, False)


@pytest.mark.parametrize("raw", ["ten", "1.5", "", "0x10"])
def test_envint_rejects_non_integers_naming_the_variable(raw: str) -> None:
    with with_env(raw), pytest.raises(ConfigError, match=NAME):
        envint(NAME, 3)


def test_envint_enforces_its_minimum() -> None:
    with with_env("0"), pytest.raises(ConfigError, match=f"{NAME}=0: must be at least 1"):
        envint(NAME, 5, minimum=1)
    with with_env("1"):
        assert envint(NAME, 5, minimum=1) == 1


def test_defaults_apply_only_when_unset() -> None:
    with with_env(None):
        assert envbool(NAME, True) is True
        assert envint(NAME, 7) == 7
        assert envlist(NAME, ["a"]) == ["a"]
        assert envstr(NAME, "d") == "d"


def test_a_secret_may_come_from_a_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("s3cret\n")
    with mock.patch.dict(os.environ, {f"{NAME}_FILE": str(secret), NAME: "ignored"}):
        assert envstr(NAME, "") == "s3cret"


def test_envlist_splits_on_commas_and_drops_blanks() -> None:
    with with_env(" a, b ,,c "):
        assert envlist(NAME, []) == ["a", "b", "c"]


@given(
    value=st.booleans(),
    word_index=st.integers(min_value=0, max_value=10),
    upper=st.lists(st.booleans(), min_size=5, max_size=5),
    pad=st.sampled_from(["", " ", "\t", "  \n"]),
)
def test_envbool_reads_back_every_spelling(
    value: bool, word_index: int, upper: list[bool], pad: str
) -> None:
    words = sorted(TRUE_WORDS if value else FALSE_WORDS - {""})
    word = words[word_index % len(words)]
    spelled = "".join(
        c.upper() if u else c for c, u in zip(word, upper + [False] * 9, strict=False)
    )
    with with_env(pad + spelled + pad):
        assert envbool(NAME, not value) is value


@given(st.integers())
def test_envint_round_trips_every_integer(value: int) -> None:
    with with_env(str(value)):
        assert envint(NAME, 0) == value


@given(env_text)
def test_envint_accepts_exactly_what_int_accepts(raw: str) -> None:
    try:
        expected: int | None = int(raw)
    except ValueError:
        expected = None
    with with_env(raw):
        if expected is None:
            with pytest.raises(ConfigError, match=NAME):
                envint(NAME, 0)
        else:
            assert envint(NAME, 0) == expected


@given(env_text)
def test_envbool_either_reads_a_known_word_or_names_the_variable(raw: str) -> None:
    word = raw.strip().lower()
    with with_env(raw):
        if word in TRUE_WORDS:
            assert envbool(NAME, False) is True
        elif word in FALSE_WORDS:
            assert envbool(NAME, True) is False
        else:
            with pytest.raises(ConfigError, match=NAME):
                envbool(NAME, False)
