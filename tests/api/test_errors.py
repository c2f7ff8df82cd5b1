"""Values the database cannot store are a 422 naming the field, never a 500."""

from __future__ import annotations

import json

from django.test import RequestFactory

from steward.api.errors import unstorable_fields
from steward.api.params import MAX_ID
from tests.api.conftest import send
from tests.conftest import World


def test_a_huge_offset_is_a_422_naming_it(world: World) -> None:
    api = world.bearer(world.alice, scopes=("read",))
    response = send(api, "GET", f"/clients?offset={10**20}")
    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["loc"] == ["query", "offset"]


def test_a_huge_id_is_refused_by_its_schema(world: World) -> None:
    api = world.bearer(world.alice)
    response = send(api, "GET", f"/clients/{MAX_ID + 1}")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "client_id"]
    body = {"first_name": "Z", "email": "z@acme.example", "site_id": MAX_ID + 1}
    refused = send(api, "POST", f"/clients/{world.acme.pk}/contacts", body)
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"][-1] == "site_id"


def test_a_lone_surrogate_is_a_422_naming_the_field(world: World) -> None:
    api = world.bearer(world.alice)
    raw = '{"name": "Initech", "code": "initech", "notes": "\\ud972"}'
    response = api.generic("POST", "/api/v1/clients", raw, content_type="application/json")
    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["loc"] == ["body", "notes"]


def test_unstorable_fields_are_found_in_the_query_and_the_body() -> None:
    body = {"name": "a\x00b", "nested": {"ids": [1, 2**64]}, "ok": "fine", "flag": True}
    request = RequestFactory().post(
        f"/x?limit=5&offset={2**64}", json.dumps(body), content_type="application/json"
    )
    assert unstorable_fields(request) == [
        {"loc": ["query", "offset"], "msg": "number out of range"},
        {"loc": ["body", "name"], "msg": "text may not contain NUL characters"},
        {"loc": ["body", "nested", "ids", "1"], "msg": "number out of range"},
    ]


def test_an_ordinary_request_has_no_culprit() -> None:
    request = RequestFactory().post("/x?limit=10", "not json", content_type="application/json")
    assert unstorable_fields(request) == []
