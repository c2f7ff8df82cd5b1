"""The batch validator: exact errors for bad items, and no crash on any JSON (hypothesis)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from steward.monitoring.services.batch import BatchRejected, validate_batch

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner, max_size=5)
    ),
    max_leaves=30,
)
SECTION_KEYS = ["batch_id", "results", "series", "assets", "facts", "check_id", "at", "state",
                "metric", "labels", "points", "asset", "key", "name", "status", "value",
                "addresses", "hostname", "duration_ms", "summary", "detail"]  # fmt: skip
shaped = st.recursive(
    json_values,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(SECTION_KEYS), inner, max_size=6)
    ),
    max_leaves=40,
)


@settings(max_examples=300, deadline=None)
@given(payload=json_values | shaped)
def test_any_json_is_validated_or_rejected_never_crashes(payload: Any) -> None:
    try:
        batch = validate_batch(payload)
    except BatchRejected:
        return
    for error in batch.errors:
        assert error["loc"]
        assert isinstance(error["msg"], str)
        assert error["msg"]
    json.dumps(batch.errors)  # the errors are answerable as JSON


@settings(max_examples=200, deadline=None)
@given(
    points=st.lists(
        st.lists(
            st.one_of(st.floats(), st.integers(), st.text(max_size=3), st.none(), st.booleans()),
            max_size=3,
        ),
        max_size=20,
    )
)
def test_every_point_is_kept_or_reported(points: list[Any]) -> None:
    batch = validate_batch(
        {"batch_id": "b", "series": [{"metric": "m", "asset": "a", "points": points}]}
    )
    kept = len(batch.series[0].points) if batch.series else 0
    assert kept + len(batch.errors) == len(points)


def test_good_points_are_kept_as_sent() -> None:
    points = [[1.2345, 1], [2, 2.5], [3, float("nan")], [4, 10**400], [5, -(10**300)]]
    batch = validate_batch(
        {"batch_id": "b", "series": [{"metric": "m", "asset": "a", "points": points}]}
    )
    assert batch.series[0].points == [[1.2345, 1], [2, 2.5], [5, -(10**300)]]
    assert [e["loc"][-1] for e in batch.errors] == [2, 3]


def on_asset(**fields: Any) -> dict[str, Any]:
    return {"metric": "m", "asset": "a", "points": [], **fields}


MANY_LABELS = {f"l{i}": "x" for i in range(33)}


@pytest.mark.parametrize(
    ("item", "loc", "msg"),
    [
        ({"metric": "m", "points": []}, [], "names either a check_id or an asset key"),
        (on_asset(check_id=1), [], "names either"),
        (on_asset(labels={"bad-name": "x"}), ["labels", "bad-name"], "a label name"),
        (on_asset(labels=MANY_LABELS), ["labels"], "at most 32 labels"),
        (on_asset(points=[[-1, 1]]), ["points", 0], "time: unix seconds"),
        (on_asset(points=[[1, 10**400]]), ["points", 0], "value: not a finite number"),
        (on_asset(points=[[True, 1]]), ["points", 0], "time: not a number"),
        ({"metric": "m", "check_id": 0}, ["check_id"], "must be a positive integer id"),
    ],
)
def test_series_errors_name_the_place_and_reason(
    item: dict[str, Any], loc: list[Any], msg: str
) -> None:
    batch = validate_batch({"batch_id": "b", "series": [item]})
    assert batch.errors[0]["loc"] == ["series", 0, *loc]
    assert batch.errors[0]["msg"].startswith(msg)


def test_sections_must_be_lists_and_facts_need_an_asset() -> None:
    batch = validate_batch(
        {"batch_id": "b", "results": {}, "facts": [{"name": "x", "at": "2026-01-01T00:00:00Z"}]}
    )
    assert batch.errors == [
        {"loc": ["results"], "msg": "must be a list"},
        {"loc": ["facts", 0, "asset"], "msg": "required"},
    ]
