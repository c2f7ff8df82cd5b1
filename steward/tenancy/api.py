"""CRUD for clients, sites, contacts, users and API tokens under /api/v1/."""

from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status
from pydantic import Field

from steward.api.auth import require
from steward.api.params import ObjectId
from steward.tenancy import services
from steward.tenancy.choices import ClientStatus, Role, TokenScope
from steward.tenancy.models import ApiToken, Client, Contact, Site, User
from steward.tenancy.roles import CHANGE_CLIENTS, CHANGE_USERS, VIEW_CLIENTS, VIEW_USERS
from steward.tenancy.schemas import (
    ClientIn,
    ClientOut,
    ClientPatch,
    ContactIn,
    ContactOut,
    ContactPatch,
    SiteIn,
    SiteOut,
    SitePatch,
    TokenCreated,
    TokenIn,
    TokenOut,
    UserIn,
    UserOut,
    UserPatch,
)

router = Router(tags=["tenancy"])
READ, WRITE, ADMIN = TokenScope.READ, TokenScope.WRITE, TokenScope.ADMIN


def _changes(payload: Schema) -> dict[str, Any]:
    return payload.dict(exclude_unset=True)


# --- Clients ------------------------------------------------------------------------------------


class ClientFilter(Schema):
    q: str | None = None
    status: ClientStatus | None = None


# /clients is the API's hottest read (bench/api_read.py), so it skips ninja's per-item
# schema validation (~15 µs a row): the rows come from the database with the schema's fields
# and types, and the API's own renderer writes them, so the JSON is byte for byte what
# ``@paginate(LimitOffsetPagination)`` sent, and the OpenAPI schema is the same
# (tests/core/test_demo.py pins both). No docstrings below: they would show in the schema.


class PageParams(Schema):
    limit: int = Field(100, ge=1)  # LimitOffsetPagination's defaults and bounds
    offset: int = Field(0, ge=0)


class PagedClientOut(Schema):  # the name @paginate gives the page schema
    items: list[ClientOut]
    count: int


CLIENT_OUT_FIELDS = tuple(ClientOut.model_fields)
CLIENT_OUT_TIMES = ("onboarded_on", "created_at", "updated_at")
_format_time = DjangoJSONEncoder().default


@router.get("/clients", response=PagedClientOut)
def list_clients(
    request: HttpRequest, filters: Query[ClientFilter], page: Query[PageParams]
) -> HttpResponse:
    who = require(request, scope=READ, permission=VIEW_CLIENTS)
    clients = Client.objects.visible_to(who.user).order_by("name", "pk")
    if filters.q:
        clients = clients.filter(Q(name__icontains=filters.q) | Q(code__icontains=filters.q))
    if filters.status:
        clients = clients.filter(status=filters.status)
    items = list(clients.values(*CLIENT_OUT_FIELDS)[page.offset : page.offset + page.limit])
    for row in items:
        # The encoder's own formatting, called directly: skips ninja's isinstance chain.
        for name in CLIENT_OUT_TIMES:
            if row[name] is not None:
                row[name] = _format_time(row[name])
    # steward.api.main imports this module to mount the router; by request time it is loaded.
    from steward.api.main import api

    return api.create_response(request, {"items": items, "count": clients.count()}, status=200)


def _client(request: HttpRequest, client_id: ObjectId, *, scope: str, permission: str) -> Client:
    who = require(request, scope=scope, permission=permission)
    return get_object_or_404(Client.objects.visible_to(who.user), pk=client_id)


@router.post("/clients", response={201: ClientOut})
def create_client(request: HttpRequest, payload: ClientIn) -> Status[Client]:
    require(request, scope=WRITE, permission=CHANGE_CLIENTS)
    return Status(201, services.create_client(**payload.dict()))


@router.get("/clients/{client_id}", response=ClientOut)
def get_client(request: HttpRequest, client_id: ObjectId) -> Client:
    return _client(request, client_id, scope=READ, permission=VIEW_CLIENTS)


@router.patch("/clients/{client_id}", response=ClientOut)
def update_client(request: HttpRequest, client_id: ObjectId, payload: ClientPatch) -> Client:
    client = _client(request, client_id, scope=WRITE, permission=CHANGE_CLIENTS)
    return services.update_client(client, _changes(payload))


@router.delete("/clients/{client_id}", response={204: None})
def delete_client(request: HttpRequest, client_id: ObjectId) -> Status[None]:
    client = _client(request, client_id, scope=WRITE, permission=CHANGE_CLIENTS)
    services.delete_client(client)
    return Status(204, None)


# --- Sites --------------------------------------------------------------------------------------


@router.get("/clients/{client_id}/sites", response=list[SiteOut])
@paginate(LimitOffsetPagination)
def list_sites(request: HttpRequest, client_id: ObjectId) -> QuerySet[Site]:
    client = _client(request, client_id, scope=READ, permission=VIEW_CLIENTS)
    return client.sites.order_by("name", "pk")


@router.post("/clients/{client_id}/sites", response={201: SiteOut})
def create_site(request: HttpRequest, client_id: ObjectId, payload: SiteIn) -> Status[Site]:
    client = _client(request, client_id, scope=WRITE, permission=CHANGE_CLIENTS)
    return Status(201, services.create_site(client, **payload.dict()))


def _site(request: HttpRequest, site_id: ObjectId, *, scope: str, permission: str) -> Site:
    who = require(request, scope=scope, permission=permission)
    return get_object_or_404(Site.objects.visible_to(who.user), pk=site_id)


@router.get("/sites/{site_id}", response=SiteOut)
def get_site(request: HttpRequest, site_id: ObjectId) -> Site:
    return _site(request, site_id, scope=READ, permission=VIEW_CLIENTS)


@router.patch("/sites/{site_id}", response=SiteOut)
def update_site(request: HttpRequest, site_id: ObjectId, payload: SitePatch) -> Site:
    site = _site(request, site_id, scope=WRITE, permission=CHANGE_CLIENTS)
    return services.update_site(site, _changes(payload))


@router.delete("/sites/{site_id}", response={204: None})
def delete_site(request: HttpRequest, site_id: ObjectId) -> Status[None]:
    services.delete_site(_site(request, site_id, scope=WRITE, permission=CHANGE_CLIENTS))
    return Status(204, None)


# --- Contacts -----------------------------------------------------------------------------------


@router.get("/clients/{client_id}/contacts", response=list[ContactOut])
@paginate(LimitOffsetPagination)
def list_contacts(request: HttpRequest, client_id: ObjectId) -> QuerySet[Contact]:
    client = _client(request, client_id, scope=READ, permission=VIEW_CLIENTS)
    return client.contacts.order_by("last_name", "first_name", "pk")


def _site_of(client: Client, site_id: int | None) -> Site | None:
    if site_id is None:
        return None
    site = client.sites.filter(pk=site_id).first()
    if site is None:
        raise HttpError(422, "site_id: no such site at this client")
    return site


@router.post("/clients/{client_id}/contacts", response={201: ContactOut})
def create_contact(
    request: HttpRequest, client_id: ObjectId, payload: ContactIn
) -> Status[Contact]:
    client = _client(request, client_id, scope=WRITE, permission=CHANGE_CLIENTS)
    fields = payload.dict()
    fields["site"] = _site_of(client, fields.pop("site_id"))
    return Status(201, services.create_contact(client, **fields))


def _contact(request: HttpRequest, contact_id: ObjectId, *, scope: str, permission: str) -> Contact:
    who = require(request, scope=scope, permission=permission)
    return get_object_or_404(Contact.objects.visible_to(who.user), pk=contact_id)


@router.get("/contacts/{contact_id}", response=ContactOut)
def get_contact(request: HttpRequest, contact_id: ObjectId) -> Contact:
    return _contact(request, contact_id, scope=READ, permission=VIEW_CLIENTS)


@router.patch("/contacts/{contact_id}", response=ContactOut)
def update_contact(request: HttpRequest, contact_id: ObjectId, payload: ContactPatch) -> Contact:
    contact = _contact(request, contact_id, scope=WRITE, permission=CHANGE_CLIENTS)
    changes = _changes(payload)
    if "site_id" in changes:
        changes["site"] = _site_of(contact.client, changes.pop("site_id"))
    return services.update_contact(contact, changes)


@router.delete("/contacts/{contact_id}", response={204: None})
def delete_contact(request: HttpRequest, contact_id: ObjectId) -> Status[None]:
    services.delete_contact(_contact(request, contact_id, scope=WRITE, permission=CHANGE_CLIENTS))
    return Status(204, None)


# --- Users --------------------------------------------------------------------------------------


def _visible_users(request: HttpRequest, *, scope: str, permission: str | None) -> QuerySet[User]:
    who = require(request, scope=scope, permission=permission)
    return User.objects.visible_to(who.user).prefetch_related("assigned_clients")


def _clients_by_id(request: HttpRequest, ids: list[int], field: str) -> list[Client]:
    who = require(request, scope=WRITE)
    found = list(Client.objects.visible_to(who.user).filter(pk__in=ids))
    missing = sorted(set(ids) - {c.pk for c in found})
    if missing:
        raise HttpError(422, f"{field}: no such client {missing}")
    return found


@router.get("/users/me", response=UserOut)
def get_me(request: HttpRequest) -> User:
    return require(request, scope=READ).user


@router.get("/users", response=list[UserOut])
@paginate(LimitOffsetPagination)
def list_users(request: HttpRequest, role: Role | None = None) -> QuerySet[User]:
    users = _visible_users(request, scope=READ, permission=VIEW_USERS).order_by("username")
    return users.filter(role=role) if role else users


@router.post("/users", response={201: UserOut})
def create_user(request: HttpRequest, payload: UserIn) -> Status[User]:
    require(request, scope=ADMIN, permission=CHANGE_USERS)
    fields = payload.dict()
    client_id = fields.pop("client_id")
    client = _clients_by_id(request, [client_id], "client_id")[0] if client_id else None
    assigned = _clients_by_id(request, fields.pop("assigned_client_ids"), "assigned_client_ids")
    fields["email"] = fields["email"] or ""
    return Status(201, services.create_user(client=client, assigned_clients=assigned, **fields))


@router.get("/users/{user_id}", response=UserOut)
def get_user(request: HttpRequest, user_id: ObjectId) -> User:
    return get_object_or_404(_visible_users(request, scope=READ, permission=None), pk=user_id)


@router.patch("/users/{user_id}", response=UserOut)
def update_user(request: HttpRequest, user_id: ObjectId, payload: UserPatch) -> User:
    users = _visible_users(request, scope=ADMIN, permission=CHANGE_USERS)
    user = get_object_or_404(users, pk=user_id)
    changes = _changes(payload)
    if "assigned_client_ids" in changes:
        ids = changes.pop("assigned_client_ids") or []
        changes["assigned_clients"] = _clients_by_id(request, ids, "assigned_client_ids")
    return services.update_user(user, changes)


@router.delete("/users/{user_id}", response={204: None})
def deactivate_user(request: HttpRequest, user_id: ObjectId) -> Status[None]:
    users = _visible_users(request, scope=ADMIN, permission=CHANGE_USERS)
    user = get_object_or_404(users, pk=user_id)
    if user.pk == request.auth.user.pk:  # type: ignore[attr-defined]
        raise HttpError(409, "you cannot deactivate yourself")
    services.deactivate_user(user)
    return Status(204, None)


# --- Tokens -------------------------------------------------------------------------------------


def _visible_tokens(request: HttpRequest, scope: str) -> QuerySet[ApiToken]:
    who = require(request, scope=scope)
    tokens = ApiToken.objects.select_related("user")
    if who.user.has_role_permission(CHANGE_USERS) and who.allows(ADMIN):
        return tokens.filter(user__in=User.objects.visible_to(who.user))
    return tokens.filter(user=who.user)


@router.get("/tokens", response=list[TokenOut])
@paginate(LimitOffsetPagination)
def list_tokens(request: HttpRequest) -> QuerySet[ApiToken]:
    return _visible_tokens(request, READ).order_by("-created_at", "-pk")


@router.post("/tokens", response={201: TokenCreated})
def create_token(request: HttpRequest, payload: TokenIn) -> Status[dict[str, Any]]:
    who = require(request, scope=WRITE)
    owner = who.user
    if payload.user_id is not None and payload.user_id != who.user.pk:
        require(request, scope=ADMIN, permission=CHANGE_USERS)
        owner = get_object_or_404(User.objects.visible_to(who.user), pk=payload.user_id)
    if TokenScope.ADMIN in payload.scopes and not who.allows(ADMIN):
        raise HttpError(403, "a token cannot issue a token with more scopes than its own")
    token, plain = services.create_token(
        owner, name=payload.name, scopes=payload.scopes, expires_at=payload.expires_at
    )
    return Status(201, {**TokenOut.from_orm(token).dict(), "token": plain})


@router.delete("/tokens/{token_id}", response={204: None})
def revoke_token(request: HttpRequest, token_id: ObjectId) -> Status[None]:
    token = get_object_or_404(_visible_tokens(request, WRITE), pk=token_id)
    services.revoke_token(token)
    return Status(204, None)
