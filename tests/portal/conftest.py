"""Portal test helpers: a clean rate-limit cache per test and a real SMTP sink."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache

from tests.servicedesk.smtp import Sink, serving_sink


@pytest.fixture(autouse=True)
def clean_cache() -> Iterator[None]:
    # The sign-in link limits live in the cache, which outlives a test's database.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def sink(settings: Any) -> Iterator[Sink]:
    with serving_sink(settings) as found:
        yield found
