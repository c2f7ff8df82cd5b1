from __future__ import annotations

from decimal import Decimal

import pytest

from steward.obligations.choices import Status
from steward.obligations.judging import judge

MET, AT_RISK, BREACHED, NO_DATA = Status.MET, Status.AT_RISK, Status.BREACHED, Status.NO_DATA


@pytest.mark.parametrize(
    ("value", "comparator", "target", "margin", "provisional", "expected"),
    [
        (None, ">=", 95, 2, False, NO_DATA),
        (None, ">=", 95, 2, True, NO_DATA),
        (99, ">=", 95, 2, False, MET),
        (97, ">=", 95, 2, False, MET),  # exactly target + margin is safe
        (Decimal("96.99"), ">=", 95, 2, False, AT_RISK),
        (95, ">=", 95, 2, False, AT_RISK),
        (95, ">=", 95, 0, False, MET),
        (Decimal("94.99"), ">=", 95, 2, False, BREACHED),
        (Decimal("94.99"), ">=", 95, 2, True, AT_RISK),  # open period: not yet a breach
        (95, ">", 95, 0, False, BREACHED),
        (10, "<=", 14, 2, False, MET),
        (13, "<=", 14, 2, False, AT_RISK),
        (15, "<=", 14, 2, False, BREACHED),
        (14, "<", 14, 0, False, BREACHED),
        (1, "==", 1, 5, False, MET),  # equality has no margin
        (0, "==", 1, 0, False, BREACHED),
        (4.6, ">=", Decimal("4.5"), Decimal("0.2"), False, AT_RISK),
        (4.7, ">=", Decimal("4.5"), Decimal("0.2"), False, MET),
    ],
)
def test_judge(value, comparator, target, margin, provisional, expected):
    assert judge(value, comparator, target, margin, provisional=provisional) == expected


def test_unknown_comparator_is_refused():
    with pytest.raises(ValueError, match="comparator"):
        judge(1, "~", 1)
