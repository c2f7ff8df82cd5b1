"""The measure registry: how domain apps tell the obligation engine what they can measure.

Each app declares its measures in ``<app>/measures.py`` (imported at start-up by
``ObligationsConfig.ready``)::

    @measure(key="servicedesk.response_attainment", name="Responses within target",
             unit="%", category=Category.SERVICE_DELIVERY, params={"priority": "P1"})
    def response_attainment(counterparty, period, params) -> MeasureResult: ...

The engine calls the function with the counterparty (a client or a vendor program), the period and
the obligation's parameters (merged over the declared defaults). ``value=None`` means "no data";
``note`` then says why.

A measure can be registered as a ``fallback``: it stands in for a measure whose data source comes
with another app and answers "no data" with the reason until that app registers the real one
under the same key, which replaces it whatever the import order.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from steward.obligations.choices import Category
from steward.obligations.periods import Period
from steward.tenancy.models import Client


@dataclass(frozen=True)
class Evidence:
    """One thing a value was computed from: a link (``url``) and/or an object reference
    (``ref``, "app.model:pk")."""

    label: str
    url: str = ""
    ref: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"label": self.label, "url": self.url, "ref": self.ref}


@dataclass
class MeasureResult:
    """What a measure answers for one counterparty and period.

    ``inputs`` records what the value depended on (policy ids and versions, parameters, counts),
    and is stored with the evaluation so a closed period can be explained later even after those
    inputs change. ``final`` says the value cannot change any more even though the period is
    still open (a deadline already passed), so a failing value is a breach, not a risk.
    """

    value: Decimal | float | int | None
    evidence: list[Evidence] = field(default_factory=list)
    inputs: dict[str, Any] = field(default_factory=dict)
    note: str = ""
    final: bool = False


MeasureFn = Callable[[Any, Period, Mapping[str, Any]], MeasureResult]


def clients_only(counterparty: Any) -> MeasureResult | None:
    """None for a client; otherwise the answer of a measure that only clients have (vendor
    programs get "no data" with the reason)."""
    if isinstance(counterparty, Client):
        return None
    return MeasureResult(None, note="This measure applies to clients only.")


class UnknownMeasure(LookupError):
    """No measure is registered under the key."""

    def __init__(self, key: str, known: list[str]) -> None:
        close = difflib.get_close_matches(key, known, n=3) if isinstance(key, str) else []
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        super().__init__(f"no measure is registered as {key!r}{hint}")
        self.key = key


class MeasureParamsError(ValueError):
    """Parameters that the measure does not declare, or of the wrong type."""


@dataclass(frozen=True)
class Measure:
    key: str
    name: str
    unit: str
    category: str
    fn: MeasureFn
    description: str = ""
    params: Mapping[str, Any] = field(default_factory=dict)
    fallback: bool = False

    def resolve_params(self, given: Mapping[str, Any] | None) -> dict[str, Any]:
        """The declared defaults overlaid with ``given``; unknown names or wrong types raise."""
        if given is not None and not isinstance(given, Mapping):
            raise MeasureParamsError(f"{self.key} parameters must be an object of name: value")
        given = dict(given or {})
        unknown = sorted(set(given) - set(self.params))
        if unknown:
            raise MeasureParamsError(
                f"{self.key} takes no parameter {', '.join(unknown)}"
                + (f" (it takes {', '.join(sorted(self.params))})" if self.params else "")
            )
        for name, value in given.items():
            default = self.params[name]
            if default is not None and not _same_kind(value, default):
                raise MeasureParamsError(
                    f"{self.key} parameter {name!r} must be {type(default).__name__}"
                )
        return {**self.params, **given}

    def __call__(
        self, counterparty: Any, period: Period, params: Mapping[str, Any]
    ) -> MeasureResult:
        return self.fn(counterparty, period, params)


def _same_kind(value: Any, default: Any) -> bool:
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(value, bool) and isinstance(default, bool)
    if isinstance(default, int | float | Decimal):
        return isinstance(value, int | float | Decimal)
    return isinstance(value, type(default))


class MeasureRegistry:
    """Measures by key. One process-wide instance, ``registry``; tests may build their own."""

    def __init__(self) -> None:
        self._measures: dict[str, Measure] = {}

    def add(self, item: Measure) -> Measure:
        if item.category not in Category.values:
            raise ValueError(f"measure {item.key}: unknown category {item.category!r}")
        existing = self._measures.get(item.key)
        if existing is not None and existing.fn is not item.fn:
            if item.fallback:
                return existing  # the real measure is already here
            if not existing.fallback:
                raise ValueError(f"measure {item.key!r} is registered twice")
        self._measures[item.key] = item
        return item

    def get(self, key: str) -> Measure:
        try:
            return self._measures[key]
        except (KeyError, TypeError):  # TypeError: an unhashable key from bad input
            raise UnknownMeasure(key, sorted(self._measures)) from None

    def __contains__(self, key: object) -> bool:
        return key in self._measures

    def all(self) -> list[Measure]:
        return sorted(self._measures.values(), key=lambda m: (m.category, m.key))

    def measure(
        self,
        *,
        key: str,
        name: str,
        unit: str,
        category: str,
        params: Mapping[str, Any] | None = None,
        fallback: bool = False,
    ) -> Callable[[MeasureFn], MeasureFn]:
        def register(fn: MeasureFn) -> MeasureFn:
            doc = (fn.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")
            self.add(
                Measure(
                    key, name, unit, category, fn, " ".join(doc.split()), params or {}, fallback
                )
            )
            return fn

        return register


registry = MeasureRegistry()
measure = registry.measure
