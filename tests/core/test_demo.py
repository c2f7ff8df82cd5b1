"""`steward demo`: a believable, deterministic, audited MSP, and the seeder registry."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.http import HttpRequest
from django.test import Client as HttpClient
from ninja import NinjaAPI, Query, Router
from ninja.pagination import LimitOffsetPagination, paginate

from steward.api.main import api
from steward.core.audit import verify_chain
from steward.core.demo import DemoContext, demo_seeder, isolated_registry, run_seeders
from steward.core.models import AuditEntry
from steward.tenancy import services as tenancy_services
from steward.tenancy.api import ClientFilter, PagedClientOut
from steward.tenancy.choices import ClientSize, Role
from steward.tenancy.demo import SIZES, staff_counts
from steward.tenancy.models import Client, Contact, Site, User
from steward.tenancy.schemas import ClientOut

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 15, 10, 30, tzinfo=UTC)
DEMO_PASSWORD = "demo-password-for-tests"


class _Rollback(Exception):
    pass


def demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def snapshot() -> dict[str, list[Any]]:
    """Every demo row by natural key, without ids, timestamps or password hashes."""
    users = []
    for user in User.objects.prefetch_related("assigned_clients").order_by("username"):
        codes = sorted(c.code for c in user.assigned_clients.all())
        users.append(
            (user.username, user.role, user.first_name, user.last_name, user.email,
             user.client.code if user.client else None, user.sees_all_clients, codes)
        )  # fmt: skip
    return {
        "clients": list(
            Client.objects.order_by("code").values_list(
                "name", "code", "status", "industry", "size", "timezone", "country",
                "website", "notes", "onboarded_on",
            )
        ),
        "sites": list(
            Site.objects.order_by("client__code", "name").values_list(
                "client__code", "name", "address", "city", "postcode", "country", "timezone"
            )
        ),
        "contacts": list(
            Contact.objects.order_by("client__code", "email").values_list(
                "client__code", "site__name", "first_name", "last_name", "email", "phone",
                "title", "is_primary", "user__username",
            )
        ),
        "users": users,
    }  # fmt: skip


def seeded_snapshot(*args: str) -> dict[str, list[Any]]:
    """Seed into the (empty) test database, take a snapshot, then roll the seed back, so the
    next call starts from a fresh database again."""
    taken: dict[str, list[Any]] = {}
    try:
        with transaction.atomic():
            demo(*args)
            taken.update(snapshot())
            raise _Rollback
    except _Rollback:
        pass
    assert not Client.objects.exists()
    return taken


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def test_same_seed_same_data_other_seed_other_data(frozen: Any) -> None:
    first = seeded_snapshot("--clients", "12", "--seed", "7")
    second = seeded_snapshot("--clients", "12", "--seed", "7")
    other = seeded_snapshot("--clients", "12", "--seed", "8")
    assert first == second
    assert len(first["clients"]) == 12
    assert first["clients"] != other["clients"]
    assert first["contacts"] != other["contacts"]


def test_counts_sizes_and_roles(frozen: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STEWARD_DEMO_PASSWORD", DEMO_PASSWORD)
    demo("--clients", "40", "--months", "6")
    clients = list(Client.objects.all())
    assert len(clients) == 40
    assert len({c.size for c in clients}) == 3
    assert len({c.industry for c in clients}) >= 6
    assert len({c.country for c in clients}) >= 4
    assert len({c.timezone for c in clients}) >= 5
    for client in clients:
        (_, (site_lo, site_hi), (contact_lo, contact_hi)) = SIZES[ClientSize(client.size)]
        assert site_lo <= client.sites.count() <= site_hi
        assert contact_lo <= client.contacts.count() <= contact_hi
        primary = client.contacts.get(is_primary=True)
        assert primary.user is not None
        assert primary.user.role == Role.CLIENT_CONTACT
        assert primary.user.client_id == client.pk
        assert client.onboarded_on is not None
        assert NOW.date() - timedelta(days=6 * 31) <= client.onboarded_on <= NOW.date()
    roles = Counter(User.objects.exclude(role=Role.CLIENT_CONTACT).values_list("role", flat=True))
    expected = staff_counts(40)
    assert {role: roles[role] for role in expected} == expected
    assert roles[Role.OWNER] == 1
    assert roles[Role.TECHNICIAN] == 40 // 8 + 3


def test_every_client_has_two_technicians_and_contacts_see_only_their_client(
    frozen: Any,
) -> None:
    demo("--clients", "12")
    technicians = User.objects.filter(role=Role.TECHNICIAN, sees_all_clients=False)
    for client in Client.objects.all():
        assert client.assigned_staff.filter(role=Role.TECHNICIAN).count() >= 2
    for tech in technicians:
        visible = set(Client.objects.visible_to(tech))
        assert visible == set(tech.assigned_clients.all())
        assert 0 < len(visible) < 12
    contact = User.objects.get(username="contact")
    assert list(Client.objects.visible_to(contact)) == [contact.client]


def test_printed_logins_work_and_others_cannot_sign_in(
    frozen: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STEWARD_DEMO_PASSWORD", DEMO_PASSWORD)
    out = demo("--clients", "5")
    for username in ("owner", "tech", "contact"):
        assert f": {username} / {DEMO_PASSWORD}" in out
        assert User.objects.get(username=username).check_password(DEMO_PASSWORD)
    usable = {u.username for u in User.objects.all() if u.has_usable_password()}
    assert usable == {"owner", "tech", "contact"}
    assert User.objects.get(username="tech").role == Role.TECHNICIAN
    assert User.objects.get(username="contact").role == Role.CLIENT_CONTACT


def test_every_row_is_audited_and_the_chain_verifies(frozen: Any) -> None:
    demo("--clients", "10")
    rows = Client.objects.count() + Site.objects.count() + Contact.objects.count()
    created = AuditEntry.objects.filter(action="create")
    assert created.count() >= rows + User.objects.count()
    assert created.filter(object_type="tenancy.contact").count() == Contact.objects.count()
    assert verify_chain() is None
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert "intact" in out.getvalue()


def test_refuses_when_clients_exist_unless_append(world: Any) -> None:
    before = AuditEntry.objects.count()
    with pytest.raises(CommandError, match="already holds 2 client"):
        demo("--clients", "3")
    assert Client.objects.count() == 2
    assert AuditEntry.objects.count() == before
    demo("--clients", "3", "--append")
    assert Client.objects.count() == 5
    # The world's owner stays the only owner; no second one is made.
    assert list(User.objects.filter(role=Role.OWNER)) == [world.alice]


def test_append_twice_never_collides(frozen: Any) -> None:
    demo("--clients", "6", "--seed", "1")
    demo("--clients", "6", "--seed", "1", "--append")
    assert Client.objects.count() == 12
    assert len(set(Client.objects.values_list("code", flat=True))) == 12
    assert verify_chain() is None


def test_bad_options_are_refused() -> None:
    with pytest.raises(CommandError, match="clients"):
        call_command("demo", "--clients", "0")
    with pytest.raises(CommandError, match="months"):
        call_command("demo", "--months", "-2")


def test_seeders_run_in_order_each_with_its_own_randomness() -> None:
    ran: list[tuple[str, float]] = []
    with isolated_registry() as registry:
        registry.clear()

        @demo_seeder(order=20, name="late")
        def late(ctx: DemoContext) -> None:
            ran.append(("late", ctx.rng.random()))
            assert ctx.shared["early"] == "was here"

        @demo_seeder(order=10, name="early")
        def early(ctx: DemoContext) -> None:
            ran.append(("early", ctx.rng.random()))
            ctx.shared["early"] = "was here"

        run_seeders(DemoContext(seed=3, now=NOW, months=1))
        first = list(ran)
        ran.clear()

        @demo_seeder(order=15, name="middle")
        def middle(ctx: DemoContext) -> None:
            ran.append(("middle", ctx.rng.random()))
            ctx.faker.name()

        run_seeders(DemoContext(seed=3, now=NOW, months=1))
    assert [name for name, _ in first] == ["early", "late"]
    # A new seeder in between changes nothing for the others.
    assert ran[0] == first[0]
    assert ran[2] == first[1]


def test_demo_clients_through_the_api_render_exactly_as_the_schema_does(frozen: Any) -> None:
    # /api/v1/clients skips per-item validation for speed (bench/api_read.py); its JSON must
    # stay byte for byte what validating every row against the schema would produce.
    demo("--clients", "30")
    owner = User.objects.get(username="owner")
    tech = User.objects.get(username="tech")
    cases = [
        (owner, "limit=50&offset=0", {}),
        (owner, "limit=7&offset=21", {}),
        (owner, "offset=25", {}),
        (owner, "limit=5&q=hotel", {"q": "hotel"}),
        (owner, "status=active&limit=3&offset=2", {"status": "active"}),
        (tech, "limit=50", {}),
    ]
    for user, query, filters in cases:
        _, plain = tenancy_services.create_token(user, name="bench", scopes=["read"])
        response = HttpClient(headers={"Authorization": f"Bearer {plain}"}).get(
            f"/api/v1/clients?{query}"
        )
        assert response.status_code == 200
        params = dict(part.split("=") for part in query.split("&"))
        limit, offset = int(params.get("limit", 100)), int(params.get("offset", 0))
        clients = Client.objects.visible_to(user).order_by("name", "pk")
        if "q" in filters:
            clients = clients.filter(name__icontains=filters["q"]) | clients.filter(
                code__icontains=filters["q"]
            )
        if "status" in filters:
            clients = clients.filter(status=filters["status"])
        page = PagedClientOut.model_validate(
            {"items": list(clients[offset : offset + limit]), "count": clients.count()}
        ).model_dump()
        expected = api.renderer.render(response.wsgi_request, page, response_status=200)
        assert response.content == expected.encode()
        assert response["Content-Type"] == api.get_content_type()
    assert json.loads(response.content)["count"] == Client.objects.visible_to(tech).count() < 30


def test_bad_page_parameters_are_refused_as_before(frozen: Any) -> None:
    demo("--clients", "3")
    _, plain = tenancy_services.create_token(User.objects.get(username="owner"), name="t")
    http = HttpClient(headers={"Authorization": f"Bearer {plain}"})
    for query in ("limit=0", "offset=-1", "limit=abc"):
        response = http.get(f"/api/v1/clients?{query}")
        assert response.status_code == 422, query
        assert "detail" in response.json()


def list_clients(request: HttpRequest, filters: Query[ClientFilter]) -> Any:
    return Client.objects.none()


# This module's annotations are strings (PEP 563); ninja needs the objects.
list_clients.__annotations__ = {"request": HttpRequest, "filters": Query[ClientFilter]}


def test_clients_route_keeps_the_paginated_openapi_schema() -> None:
    # The route that @paginate(LimitOffsetPagination) produced, built beside the real one.
    reference = NinjaAPI(urls_namespace="reference-paginated", auth=api.auth)
    router = Router(tags=["tenancy"])
    router.get("/clients", response=list[ClientOut])(paginate(LimitOffsetPagination)(list_clients))
    reference.add_router("", router)
    old = reference.get_openapi_schema(path_prefix="/api/v1")
    new = api.get_openapi_schema(path_prefix="/api/v1")
    old_op, new_op = old["paths"]["/api/v1/clients"]["get"], new["paths"]["/api/v1/clients"]["get"]
    for key in ("parameters", "responses", "security", "tags", "summary"):
        assert old_op.get(key) == new_op.get(key), key
    assert "description" not in new_op
    for name in ("PagedClientOut", "ClientOut"):
        assert old["components"]["schemas"][name] == new["components"]["schemas"][name]
