from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from steward.agent.identity import AGENT_ID_FILE, asset_key, identify, parse_machine_id


def test_the_machine_id_is_the_key(tmp_path: Path) -> None:
    machine_id = tmp_path / "machine-id"
    machine_id.write_text("3d1219c7c4c5404aaa1f6d2a48adfda4\n")
    assert asset_key(tmp_path / "state", (str(machine_id),)) == "3d1219c7c4c5404aaa1f6d2a48adfda4"
    assert not (tmp_path / "state").exists()


def test_without_a_machine_id_the_agent_keeps_its_own(tmp_path: Path) -> None:
    state = tmp_path / "state"
    missing = (str(tmp_path / "nope"), str(tmp_path / "nope-either"))
    first = asset_key(state, missing)
    assert parse_machine_id(first) == first
    assert asset_key(state, missing) == first
    assert (state / AGENT_ID_FILE).read_text().strip() == first


def test_an_uninitialized_machine_id_is_not_a_key(tmp_path: Path) -> None:
    machine_id = tmp_path / "machine-id"
    machine_id.write_text("uninitialized\n")
    key = asset_key(tmp_path / "state", (str(machine_id),))
    assert key != "uninitialized"
    assert (tmp_path / "state" / AGENT_ID_FILE).exists()


def test_a_damaged_stored_id_is_replaced(tmp_path: Path) -> None:
    (tmp_path / AGENT_ID_FILE).write_text("garbage")
    key = asset_key(tmp_path, (str(tmp_path / "none"),))
    assert parse_machine_id(key) == key


def test_this_machine_has_a_stable_identity(tmp_path: Path) -> None:
    first, second = identify(tmp_path), identify(tmp_path)
    assert first == second
    assert first.hostname
    assert 1 <= len(first.key) <= 64


@given(st.text())
def test_parse_machine_id_accepts_only_32_hex_digits(text: str) -> None:
    parsed = parse_machine_id(text)
    assert parsed is None or (len(parsed) == 32 and set(parsed) <= set("0123456789abcdef"))
