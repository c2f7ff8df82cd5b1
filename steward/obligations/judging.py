"""The status rule: one pure function from a measured value and a target to a status.

1. No value → ``no_data``.
2. The comparison fails → ``breached`` — except in an unfinished (provisional) period, where it is
   ``at_risk``: the month can still recover, and a breach is only declared once it cannot.
3. The comparison holds but the value is within ``at_risk_margin`` of the target on the passing
   side (e.g. 96 % against "≥ 95 %" with a 2-point margin) → ``at_risk``.
4. Otherwise ``met``. ``==`` targets have no margin: they are met or not.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from decimal import Decimal

from steward.obligations.choices import Comparator, Status

_OPS: dict[str, Callable[[Decimal, Decimal], bool]] = {
    Comparator.GTE: operator.ge,
    Comparator.LTE: operator.le,
    Comparator.GT: operator.gt,
    Comparator.LT: operator.lt,
    Comparator.EQ: operator.eq,
}


def as_decimal(value: Decimal | float | int | None) -> Decimal | None:
    """Measures may return floats; compare and store them as Decimals (via str, not binary)."""
    if value is None or isinstance(value, Decimal):
        return value
    return Decimal(str(value))


def judge(
    value: Decimal | float | int | None,
    comparator: str,
    target: Decimal | float | int,
    at_risk_margin: Decimal | float | int = 0,
    *,
    provisional: bool = False,
) -> Status:
    """The status of ``value`` against "``comparator`` ``target``" (see the module docstring)."""
    measured = as_decimal(value)
    if measured is None:
        return Status.NO_DATA
    goal = as_decimal(target)
    margin = as_decimal(at_risk_margin) or Decimal(0)
    assert goal is not None
    if comparator not in _OPS:
        raise ValueError(f"unknown comparator {comparator!r}")
    if not _OPS[comparator](measured, goal):
        return Status.AT_RISK if provisional else Status.BREACHED
    if margin > 0:
        if comparator in (Comparator.GTE, Comparator.GT) and measured < goal + margin:
            return Status.AT_RISK
        if comparator in (Comparator.LTE, Comparator.LT) and measured > goal - margin:
            return Status.AT_RISK
    return Status.MET
