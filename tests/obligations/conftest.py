"""A measure the tests control: ``test.controlled`` answers whatever ``CONTROL`` says."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from steward.obligations.choices import Category
from steward.obligations.registry import Evidence, MeasureResult, registry

CONTROL: dict[str, Any] = {}


def _controlled(counterparty: Any, period: Any, params: Any) -> MeasureResult:
    value = CONTROL.get(period.key, CONTROL.get("value"))
    if CONTROL.get("fail"):
        raise RuntimeError("source unreachable")
    return MeasureResult(
        value,
        evidence=[Evidence(f"rows of {period.key}", url=f"/things/{period.key}")],
        inputs={"policy_version": CONTROL.get("policy_version", 1)},
    )


@pytest.fixture
def controlled() -> Iterator[dict[str, Any]]:
    CONTROL.clear()
    registry.measure(
        key="test.controlled",
        name="Controlled",
        unit="%",
        category=Category.SERVICE_DELIVERY,
        params={"level": 1},
    )(_controlled)
    yield CONTROL
    registry._measures.pop("test.controlled", None)
    CONTROL.clear()
