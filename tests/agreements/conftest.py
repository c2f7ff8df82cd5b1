"""Shared builders for the agreements tests (on top of the named ``world``)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from steward.agreements import services
from steward.agreements.models import Agreement, BusinessCalendar
from tests.conftest import World

BERLIN_OFFICE: dict[str, Any] = {
    "name": "Berlin office",
    "timezone": "Europe/Berlin",
    "hours": {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
    "holidays": {"country": "DE", "subdivision": "BE"},
}
ALWAYS: dict[str, Any] = {"name": "24x7", "timezone": "UTC", "hours": "24x7"}


def make_agreement(world: World, **fields: Any) -> Agreement:
    terms: dict[str, Any] = {
        "reference": "ACME-MSA-1",
        "start_date": date(2025, 1, 1),
        "term_months": 12,
        "notice_days": 90,
    }
    return services.create_agreement(world.acme, **(terms | fields))


@pytest.fixture
def agreement(world: World) -> Agreement:
    return make_agreement(world)


@pytest.fixture
def berlin(world: World) -> BusinessCalendar:
    return services.create_calendar(BERLIN_OFFICE, client=world.acme)


@pytest.fixture
def always(world: World) -> BusinessCalendar:
    return services.create_calendar(ALWAYS)
