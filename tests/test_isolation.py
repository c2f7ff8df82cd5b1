"""Tenant isolation, generated from the routes themselves (ARCHITECTURE.md, "Tenancy").

Every API operation in the OpenAPI schema is called, with every method it declares, as dave
(Globex's contact) and as eve (a technician assigned to no client). Path parameters are filled
with objects that belong to Acme by one generic rule (``acme_object``): a parameter named
``<model>_id`` names a model of an installed app. The expectations:

* an operation that names an Acme object answers 403 or 404;
* no response body, whatever its status, carries Acme data (``ACME_MARKERS``);
* nothing that belongs to Acme changes (``acme_snapshot`` before and after).

The same walk as bob (assigned to Acme) gets 200 on every GET that names an Acme object, and the
leak detector fires on those bodies: proof that this test notices a leak.

A new route is covered without editing this file when its path parameters follow the
``<model>_id`` convention and its model either has a ``client_field`` on its queryset (see
``steward.tenancy.scoping.ClientScopedQuerySet``) or a foreign key to the user model.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.test import Client as HttpClient

from steward.api.main import api
from steward.core.models import AuditEntry
from steward.obligations.services import create_default_obligations
from steward.tenancy import services
from steward.tenancy.models import ApiToken, Client, User
from tests.agreements.builders import AGREEMENT_BUILDERS
from tests.conftest import World
from tests.monitoring.alerting.builders import ALERTING_BUILDERS
from tests.monitoring.builders import MONITORING_BUILDERS
from tests.notify.builders import NOTIFY_BUILDERS
from tests.portal.builders import PORTAL_BUILDERS
from tests.reporting.builders import REPORTING_BUILDERS
from tests.servicedesk.builders import SERVICEDESK_BUILDERS
from tests.servicedesk.builders_work import WORK_BUILDERS

API_PREFIX = "/api/v1"
ACME_TOKEN_NAME = "carol-isolation-probe"

# Strings that only Acme's rows carry: the client's name, its site, carol's e-mail and surname,
# and "acme" as a word in any case (its code, its e-mail domain, and the names builders give
# Acme's other objects: "Acme SLA", "ACME-ISO-1"). No template or fixture of another tenant
# says "acme", so a hit is a leak.
ACME_MARKERS = ("Acme Corporation", "Acme HQ", "carol@acme.example", "Acmeson")
ACME_WORD = re.compile(r"\bacme\b", re.IGNORECASE)

# Models that no row of the world fixture covers: how to make one for Acme.
# Extend this when a new client-owned model appears in a route and the world has none of it.
ACME_BUILDERS: dict[str, Callable[[World], models.Model]] = {
    "obligations.obligation": lambda w: create_default_obligations(w.acme)[0],
    **AGREEMENT_BUILDERS,
    **SERVICEDESK_BUILDERS,
    **WORK_BUILDERS,
    **MONITORING_BUILDERS,
    **REPORTING_BUILDERS,
    **ALERTING_BUILDERS,
    **PORTAL_BUILDERS,
    **NOTIFY_BUILDERS,
}

EXTEND_HINT = (
    "Extend the rule in tests/test_isolation.py: name the parameter `<model>_id` after a model "
    "(e.g. `site_id` -> tenancy.Site), give the model's queryset a `client_field` "
    "(ClientScopedQuerySet), or add an entry to ACME_BUILDERS / SPECIAL_PARAMETERS."
)


def acme_leaks(body: bytes | str) -> list[str]:
    """The Acme markers found in a response body."""
    text = body.decode(errors="replace") if isinstance(body, bytes) else body
    found = [marker for marker in ACME_MARKERS if marker in text]
    if ACME_WORD.search(text):
        found.append("acme")
    return found


# --- Filling parameters with Acme's objects -----------------------------------------------------


def _special(world: World) -> dict[str, models.Model]:
    """Parameters whose model is not spelled by their name, or whose Acme side is a person."""
    token = ApiToken.objects.filter(user=world.carol, name=ACME_TOKEN_NAME).first()
    if token is None:
        token, _ = services.create_token(world.carol, name=ACME_TOKEN_NAME, scopes=["read"])
    return {"client_id": world.acme, "user_id": world.carol, "token_id": token}


SPECIAL_PARAMETERS = _special


def model_for(param: str) -> type[models.Model] | None:
    """The installed model a ``<model>_id`` parameter names (``vendor_program_id`` ->
    VendorProgram), or None."""
    if not param.endswith("_id"):
        return None
    wanted = param.removesuffix("_id").replace("_", "")
    found = [m for m in apps.get_models() if m._meta.model_name == wanted]
    if len(found) > 1:
        pytest.fail(f"parameter {param!r} matches several models {found}. {EXTEND_HINT}")
    return found[0] if found else None


def client_field(model: type[models.Model]) -> str | None:
    """The path from ``model`` to its client, as the model's scoped queryset declares it."""
    queryset_class = type(model._default_manager.all())
    return getattr(queryset_class, "client_field", None)


def acme_rows(model: type[models.Model], world: World) -> models.QuerySet[Any] | None:
    """Every row of ``model`` that belongs to Acme, or None when the model is not Acme's."""
    if model is Client:
        return Client.objects.filter(pk=world.acme.pk)
    if model is User:
        return User.objects.filter(pk__in=[world.carol.pk, world.bob.pk])
    field = client_field(model)
    if field is not None:
        return model._default_manager.filter(**{field: world.acme})
    user_fk = next(
        (
            f.name
            for f in model._meta.concrete_fields
            if f.is_relation and f.related_model is apps.get_model(settings.AUTH_USER_MODEL)
        ),
        None,
    )
    if user_fk is not None:
        return model._default_manager.filter(**{user_fk: world.carol})
    return None


def acme_object(param: str, world: World, *, required: bool = True) -> models.Model | None:
    """The Acme object to put in parameter ``param``; fails the test when it cannot tell."""
    special = SPECIAL_PARAMETERS(world)
    if param in special:
        return special[param]
    model = model_for(param)
    rows = acme_rows(model, world) if model is not None else None
    if rows is None:
        if required:
            pytest.fail(f"cannot fill path parameter {param!r} with an Acme object. {EXTEND_HINT}")
        return None
    row = rows.order_by("pk").first()
    if row is None and model is not None and model._meta.label_lower in ACME_BUILDERS:
        row = ACME_BUILDERS[model._meta.label_lower](world)
    if row is None and required:
        pytest.fail(f"no Acme row of {model} for parameter {param!r}. {EXTEND_HINT}")
    return row


def acme_snapshot(world: World) -> dict[str, Any]:
    """Every Acme-owned row of every model, plus the audit entries about Acme."""
    snapshot: dict[str, Any] = {}
    for model in apps.get_models():
        rows = acme_rows(model, world)
        if rows is not None:
            snapshot[model._meta.label_lower] = sorted(
                (json.dumps(r, sort_keys=True, default=str) for r in rows.values()),
            )
    snapshot["audit-about-acme"] = AuditEntry.objects.filter(client_id=world.acme.pk).count()
    snapshot["acme-assigned-staff"] = sorted(world.acme.assigned_staff.values_list("pk", flat=True))
    return snapshot


# --- The API walk -------------------------------------------------------------------------------


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = schema
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def example(schema: dict[str, Any], node: dict[str, Any], name: str, world: World) -> Any:
    """A small valid value for ``node``, with ``<model>_id`` fields pointing at Acme's objects,
    so the handler (not the body validator) has to refuse."""
    node = _resolve(schema, node)
    if "anyOf" in node:
        options = [o for o in node["anyOf"] if _resolve(schema, o).get("type") != "null"]
        return example(schema, options[0], name, world) if options else None
    if "allOf" in node:
        return example(schema, node["allOf"][0], name, world)
    if "enum" in node:
        return node["enum"][0]
    kind = node.get("type")
    if kind == "object":
        return {
            prop: example(schema, sub, prop, world)
            for prop, sub in node.get("properties", {}).items()
            if prop in node.get("required", []) or prop.endswith("_id")
        }
    if kind == "integer":
        found = acme_object(name, world, required=False) if name.endswith("_id") else None
        return found.pk if found is not None else max(1, node.get("minimum", 1))
    if kind == "array":
        return []
    if kind == "boolean":
        return False
    if kind == "number":
        return 1
    formats = {
        "email": "probe@globex.example",
        "date-time": "2099-01-01T00:00:00Z",
        "date": "2099-01-01",
    }
    return formats.get(node.get("format", ""), "probe")


def api_operations() -> list[tuple[str, str, dict[str, Any]]]:
    schema = api.get_openapi_schema()
    return [
        (method.upper(), path, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
    ]


def fill_api_call(
    path: str, operation: dict[str, Any], world: World
) -> tuple[str, dict[str, Any], Any, bool]:
    """(url, query, body, names_acme) for one operation."""
    schema = api.get_openapi_schema()
    names_acme = False
    query: dict[str, Any] = {}
    for param in operation.get("parameters", []):
        name, where = param["name"], param["in"]
        if where == "path":
            obj = acme_object(name, world)
            assert obj is not None
            path = path.replace(f"{{{name}}}", str(obj.pk))
            names_acme = True
        elif where == "query" and name.endswith("_id"):
            obj = acme_object(name, world, required=param.get("required", False))
            if obj is not None:
                query[name] = obj.pk
        elif param.get("required"):
            query[name] = example(schema, param["schema"], name, world)
    body = None
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" in content:
        body = example(schema, content["application/json"]["schema"], "body", world)
    return path, query, body, names_acme


def call(http: HttpClient, method: str, url: str, query: dict[str, Any], body: Any) -> Any:
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    if body is None:
        return http.generic(method, url)
    return http.generic(method, url, json.dumps(body), content_type="application/json")


def walk_api(world: World, user: User) -> list[str]:
    """Call every operation as ``user``; return what went wrong, one line per problem."""
    problems = []
    scopes = ["read", "write", "admin"] if user.has_role_permission("users.change") else None
    _, plain = services.create_token(user, name="walker", scopes=scopes or ["read", "write"])
    http = HttpClient(headers={"Authorization": f"Bearer {plain}"})
    for method, path, operation in api_operations():
        url, query, body, names_acme = fill_api_call(path, operation, world)
        response = call(http, method, url, query, body)
        where = f"{method} {url} {query or ''} as {user.username} -> {response.status_code}"
        if response.status_code >= 500:
            problems.append(f"{where}: server error")
        if names_acme and response.status_code not in (403, 404):
            problems.append(f"{where}: expected 403/404, body {response.content[:300]!r}")
        leaks = acme_leaks(response.content)
        if leaks:
            problems.append(f"{where}: body carries Acme data {leaks}")
    return problems


@pytest.mark.parametrize("username", ["dave", "eve"])
def test_another_tenant_reaches_no_acme_object_through_the_api(world: World, username: str) -> None:
    for _method, path, operation in api_operations():
        fill_api_call(path, operation, world)  # make every Acme object first, then snapshot
    before = acme_snapshot(world)
    problems = walk_api(world, getattr(world, username))
    assert problems == [], "\n".join(problems)
    assert acme_snapshot(world) == before, "an Acme row changed during the walk"


def test_the_walk_covers_every_operation(world: World) -> None:
    operations = api_operations()
    assert len(operations) >= 20
    for _method, path, operation in operations:
        fill_api_call(path, operation, world)  # fails loudly on a parameter it cannot fill


def test_positive_control_bob_reads_every_acme_object(world: World) -> None:
    """Bob is assigned to Acme: the same calls answer 200 and the leak detector fires."""
    _, plain = services.create_token(world.bob, name="control", scopes=["read"])
    http = HttpClient(headers={"Authorization": f"Bearer {plain}"})
    checked = 0
    for method, path, operation in api_operations():
        url, query, body, names_acme = fill_api_call(path, operation, world)
        if method != "GET" or not names_acme:
            continue
        response = call(http, method, url, query, body)
        assert response.status_code == 200, f"GET {url} as bob: {response.status_code}"
        checked += 1
    assert checked >= 5
    detail = http.get(f"{API_PREFIX}/clients/{world.acme.pk}")
    assert acme_leaks(detail.content), "the leak detector misses Acme's own client record"
    site = http.get(f"{API_PREFIX}/sites/{world.acme_site.pk}")
    assert acme_leaks(site.content)


def test_unknown_parameter_names_fail_loudly(world: World) -> None:
    with pytest.raises(pytest.fail.Exception, match="Extend the rule"):
        acme_object("gizmo_id", world)
    with pytest.raises(pytest.fail.Exception, match="Extend the rule"):
        acme_object("slug", world)


def test_parameter_rule_resolves_models_by_name(world: World) -> None:
    assert acme_object("client_id", world) == world.acme
    assert acme_object("site_id", world) == world.acme_site
    assert acme_object("contact_id", world) == world.acme_contact
    assert acme_object("user_id", world) == world.carol
    token = acme_object("token_id", world)
    assert isinstance(token, ApiToken)
    assert token.user == world.carol
