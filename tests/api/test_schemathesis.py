"""Property-based tests of the whole API from its own OpenAPI schema (schemathesis).

Every operation gets generated valid and invalid requests, sent through the WSGI application as
the owner with a read,write,admin token. Whatever the input, the API must never answer 5xx, a
4xx carries ``{"detail": …}``, and documented responses match their schema.

Each generated example runs inside a savepoint that is rolled back, so one example (say, a
DELETE that hit the owner's own token) cannot spoil the next.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from steward.tenancy import services
from steward.wsgi import application
from tests.conftest import World
from tests.test_isolation import acme_object

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture
def same_connection() -> Iterator[None]:
    """Keep the test's database connection open across requests.

    Django's WSGI handler closes old connections when a request starts and ends; inside the
    test's transaction that would drop it. The test client does the same disconnection.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def detail_of_error(response: Any, case: Any) -> None:
    if 400 <= response.status_code < 500 and response.status_code != 405:
        body = response.json()
        assert isinstance(body, dict), f"{case.operation.label}: error body is not an object"
        assert "detail" in body, f"{case.operation.label}: error body without detail: {body}"


def aim_at_real_objects(case: Any, world: World) -> None:
    """Point half of the generated whole-number ``<model>_id`` path parameters at a real Acme
    object, so handlers go past the lookup instead of answering 404 to random ids."""
    for name, value in (case.path_parameters or {}).items():
        if isinstance(value, int) and not isinstance(value, bool) and value % 2 == 0:
            found = acme_object(name, world, required=False)
            if found is not None:
                case.path_parameters[name] = found.pk


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
def test_no_input_makes_the_api_fail(case: Any, world: World, same_connection: None) -> None:
    with transaction.atomic():
        _, plain = services.create_token(
            world.alice, name="schemathesis", scopes=["read", "write", "admin"]
        )
        aim_at_real_objects(case, world)
        response = case.call(headers={"Authorization": f"Bearer {plain}"})
        case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
        detail_of_error(response, case)
        transaction.set_rollback(True)
