"""Collector tests run their coroutines on asyncio through anyio's pytest plugin."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.collector.peers import http_server


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def http_port() -> Iterator[int]:
    with http_server() as port:
        yield port


@pytest.fixture(scope="module")
def base_url(http_port: int) -> str:
    return f"http://127.0.0.1:{http_port}"
