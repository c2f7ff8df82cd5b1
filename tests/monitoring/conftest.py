"""Fixtures of the monitoring tests: a collector and an agent of Acme with their tokens, and
a clean rate-limit and series cache for each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache

from steward.monitoring.services.samples import series_cache
from tests.monitoring.helpers import Sender, make_sender


@pytest.fixture(autouse=True)
def fresh_caches() -> Iterator[None]:
    cache.clear()
    series_cache.clear()
    yield
    cache.clear()
    series_cache.clear()


@pytest.fixture
def acme_collector(world: object) -> Sender:
    return make_sender(world.acme, "collector", "acme-probe")  # type: ignore[attr-defined]


@pytest.fixture
def globex_collector(world: object) -> Sender:
    return make_sender(world.globex, "collector", "globex-probe")  # type: ignore[attr-defined]
