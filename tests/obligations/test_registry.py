from __future__ import annotations

import pytest

from steward.obligations.choices import Category
from steward.obligations.defaults import DEFAULT_OBLIGATIONS
from steward.obligations.periods import Period
from steward.obligations.registry import (
    MeasureParamsError,
    MeasureRegistry,
    MeasureResult,
    UnknownMeasure,
    registry,
)


def _answer(value):
    return lambda counterparty, period, params: MeasureResult(value, inputs=dict(params))


def test_register_and_call():
    reg = MeasureRegistry()
    reg.measure(key="x.count", name="Count", unit="n", category=Category.SERVICE_DELIVERY)(
        _answer(3)
    )
    item = reg.get("x.count")
    assert item.name == "Count"
    assert item(None, Period.parse("2026-10"), {}).value == 3


def test_unknown_key_names_the_key_and_suggests():
    reg = MeasureRegistry()
    reg.measure(key="x.count", name="Count", unit="n", category=Category.SERVICE_DELIVERY)(
        _answer(3)
    )
    with pytest.raises(UnknownMeasure, match=r"'x.cuont'.*did you mean x.count"):
        reg.get("x.cuont")


def test_duplicate_registration_is_refused_but_a_real_measure_replaces_a_fallback():
    reg = MeasureRegistry()
    common = {"key": "x.k", "name": "K", "unit": "%", "category": Category.SERVICE_DELIVERY}
    fallback, real, other = _answer(None), _answer(1), _answer(2)
    reg.measure(**common, fallback=True)(fallback)
    reg.measure(**common)(real)
    assert reg.get("x.k").fn is real
    reg.measure(**common, fallback=True)(fallback)  # a late fallback does not displace it
    assert reg.get("x.k").fn is real
    with pytest.raises(ValueError, match="registered twice"):
        reg.measure(**common)(other)


def test_unknown_category_is_refused():
    with pytest.raises(ValueError, match="category"):
        MeasureRegistry().measure(key="x", name="x", unit="", category="nine")(_answer(1))


def test_params_are_checked_against_the_declared_defaults():
    reg = MeasureRegistry()
    reg.measure(
        key="x.p", name="P", unit="%", category=Category.SERVICE_DELIVERY,
        params={"priority": "P1", "within_days": 14},
    )(_answer(1))  # fmt: skip
    item = reg.get("x.p")
    assert item.resolve_params({"within_days": 7}) == {"priority": "P1", "within_days": 7}
    with pytest.raises(MeasureParamsError, match="no parameter colour"):
        item.resolve_params({"colour": "red"})
    with pytest.raises(MeasureParamsError, match="'within_days' must be int"):
        item.resolve_params({"within_days": "soon"})


def test_every_default_obligation_has_a_registered_measure():
    for item in DEFAULT_OBLIGATIONS:
        measure = registry.get(item.measure_key)
        measure.resolve_params(item.params)
        assert measure.category == item.category


def test_bad_keys_and_params_are_clear_errors_not_crashes():
    with pytest.raises(UnknownMeasure, match="None"):
        registry.get(None)
    with pytest.raises(UnknownMeasure):
        registry.get(["a"])
    with pytest.raises(MeasureParamsError, match="must be an object"):
        registry.get("tenancy.primary_contact_defined").resolve_params(["x"])
