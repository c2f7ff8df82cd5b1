from __future__ import annotations

import pytest

from steward.core.audit import verify_chain


@pytest.mark.django_db
def test_owner_lists_and_creates_clients_with_a_token(world):
    api = world.bearer(world.alice)
    listed = api.get("/api/v1/clients").json()
    assert listed["count"] == 2
    created = api.post(
        "/api/v1/clients",
        {"name": "Initech", "code": "initech", "timezone": "Europe/Paris"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert verify_chain() is None


@pytest.mark.django_db
def test_bad_timezone_names_the_field(world):
    api = world.bearer(world.alice)
    response = api.post(
        "/api/v1/clients",
        {"name": "X", "code": "x", "timezone": "Mars/Base"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "timezone"


@pytest.mark.django_db
def test_contact_sees_only_own_client(world):
    api = world.bearer(world.dave, scopes=("read",))
    names = [c["name"] for c in api.get("/api/v1/clients").json()["items"]]
    assert names == ["Globex Inc"]
    assert api.get(f"/api/v1/clients/{world.acme.pk}").status_code == 404
