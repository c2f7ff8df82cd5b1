"""The notify app under /api/v1/notify/: the delivery log (and retry), channels (the URL is
write-only) and policies. MSP staff only; every lookup starts at ``visible_to``."""

from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status

from steward.api.auth import Principal, require
from steward.api.params import ObjectId
from steward.notify import config, services
from steward.notify.models import Channel, Delivery, Policy
from steward.notify.schemas import (
    ChannelFilters,
    ChannelIn,
    ChannelOut,
    ChannelPatch,
    DeliveryFilters,
    DeliveryOut,
    PolicyFilters,
    PolicyIn,
    PolicyOut,
    PolicyPatch,
)
from steward.tenancy.choices import TokenScope
from steward.tenancy.models import Client, Contact, User
from steward.tenancy.roles import CHANGE_CLIENTS, VIEW_CLIENTS
from steward.tenancy.scoping import is_active_staff

router = Router(tags=["notify"])
M = TypeVar("M", bound=Model)


def reader(request: HttpRequest) -> Principal:
    who = require(request, scope=TokenScope.READ, permission=VIEW_CLIENTS)
    if not is_active_staff(who.user):
        raise HttpError(403, "notifications are for MSP staff")
    return who


def writer(request: HttpRequest) -> Principal:
    who = require(request, scope=TokenScope.WRITE, permission=CHANGE_CLIENTS)
    if not is_active_staff(who.user):
        raise HttpError(403, "notifications are for MSP staff")
    return who


def visible(model: type[M], who: Principal, pk: int) -> M:
    manager: Any = model._default_manager
    return get_object_or_404(manager.visible_to(who.user), pk=pk)  # type: ignore[no-any-return]


def client_of(who: Principal, client_id: int | None) -> Client | None:
    if client_id is None:
        return None
    return get_object_or_404(Client.objects.visible_to(who.user), pk=client_id)


def _rows(model: type[M], who: Principal, ids: list[int], field: str, **scope: Any) -> list[M]:
    """The objects named by a body field, all of them visible, or a 422 naming the field."""
    manager: Any = model._default_manager
    found = list(manager.filter(pk__in=ids, **scope))
    if len(found) != len(set(ids)):
        raise HttpError(422, f"{field}: no such object among {sorted(set(ids))}")
    return found


# --- Deliveries ---------------------------------------------------------------------------------


@router.get("/notify/deliveries", response=list[DeliveryOut])
@paginate(LimitOffsetPagination)
def list_deliveries(request: HttpRequest, filters: Query[DeliveryFilters]) -> QuerySet[Delivery]:
    rows = Delivery.objects.visible_to(reader(request).user).select_related("notification")
    if filters.client_id is not None:
        rows = rows.filter(client_id=filters.client_id)
    if filters.status is not None:
        rows = rows.filter(status=filters.status)
    if filters.kind is not None:
        rows = rows.filter(kind=filters.kind)
    return rows.order_by("-created_at", "-pk")


@router.get("/notify/deliveries/{delivery_id}", response=DeliveryOut)
def get_delivery(request: HttpRequest, delivery_id: ObjectId) -> Delivery:
    return visible(Delivery, reader(request), delivery_id)


@router.post("/notify/deliveries/{delivery_id}/retry", response=DeliveryOut)
def retry_delivery(request: HttpRequest, delivery_id: ObjectId) -> Delivery:
    """Try this delivery again now; the answer carries the outcome."""
    row = visible(Delivery, writer(request), delivery_id)
    services.retry_now(row, timezone.now())
    row.refresh_from_db()
    return row


# --- Channels -----------------------------------------------------------------------------------


@router.get("/notify/channels", response=list[ChannelOut])
@paginate(LimitOffsetPagination)
def list_channels(request: HttpRequest, filters: Query[ChannelFilters]) -> QuerySet[Channel]:
    rows = Channel.objects.visible_to(reader(request).user)
    if filters.client_id is not None:
        rows = rows.filter(client_id=filters.client_id)
    return rows.order_by("name", "pk")


@router.post("/notify/channels", response={201: ChannelOut})
def create_channel(request: HttpRequest, payload: ChannelIn) -> Status[Channel]:
    who = writer(request)
    channel = config.create_channel(
        client_of(who, payload.client_id), payload.name, payload.url, payload.enabled
    )
    return Status(201, channel)


@router.get("/notify/channels/{channel_id}", response=ChannelOut)
def get_channel(request: HttpRequest, channel_id: ObjectId) -> Channel:
    return visible(Channel, reader(request), channel_id)


@router.patch("/notify/channels/{channel_id}", response=ChannelOut)
def update_channel(request: HttpRequest, channel_id: ObjectId, payload: ChannelPatch) -> Channel:
    channel = visible(Channel, writer(request), channel_id)
    return config.update_channel(channel, payload.dict(exclude_unset=True))


@router.delete("/notify/channels/{channel_id}", response={204: None})
def delete_channel(request: HttpRequest, channel_id: ObjectId) -> Status[None]:
    config.delete_channel(visible(Channel, writer(request), channel_id))
    return Status(204, None)


# --- Policies -----------------------------------------------------------------------------------


def _policy_query(who: Principal) -> QuerySet[Policy]:
    return Policy.objects.visible_to(who.user).prefetch_related(
        "named_contacts", "users", "channels"
    )


@router.get("/notify/policies", response=list[PolicyOut])
@paginate(LimitOffsetPagination)
def list_policies(request: HttpRequest, filters: Query[PolicyFilters]) -> QuerySet[Policy]:
    rows = _policy_query(reader(request))
    if filters.client_id is not None:
        rows = rows.filter(client_id=filters.client_id)
    return rows.order_by("client_id", "name", "pk")


def _save(who: Principal, policy: Policy, data: dict[str, Any]) -> Policy:
    cid = policy.client_id
    contacts = users = channels = None
    if data.get("contact_ids") is not None:
        contacts = _rows(Contact, who, data["contact_ids"], "contact_ids", client_id=cid)
    if data.get("user_ids") is not None:
        users = _rows(User, who, data["user_ids"], "user_ids", is_active=True)
    if data.get("channel_ids") is not None:
        visible_channels = Channel.objects.visible_to(who.user)
        channels = [c for c in visible_channels.filter(pk__in=data["channel_ids"])]
        if len(channels) != len(set(data["channel_ids"])):
            raise HttpError(422, "channel_ids: no such channel")
    fields = {k: v for k, v in data.items() if not k.endswith("_ids")}
    return config.save_policy(policy, fields, contacts, users, channels)


@router.post("/notify/policies", response={201: PolicyOut})
def create_policy(request: HttpRequest, payload: PolicyIn) -> Status[Policy]:
    who = writer(request)
    policy = Policy(client=client_of(who, payload.client_id))
    data = payload.dict()
    data.pop("client_id")
    return Status(201, _save(who, policy, data))


@router.get("/notify/policies/{policy_id}", response=PolicyOut)
def get_policy(request: HttpRequest, policy_id: ObjectId) -> Policy:
    who = reader(request)
    return get_object_or_404(_policy_query(who), pk=policy_id)


@router.patch("/notify/policies/{policy_id}", response=PolicyOut)
def update_policy(request: HttpRequest, policy_id: ObjectId, payload: PolicyPatch) -> Policy:
    who = writer(request)
    policy = get_object_or_404(_policy_query(who), pk=policy_id)
    _save(who, policy, payload.dict(exclude_unset=True))
    return get_object_or_404(_policy_query(who), pk=policy_id)


@router.delete("/notify/policies/{policy_id}", response={204: None})
def delete_policy(request: HttpRequest, policy_id: ObjectId) -> Status[None]:
    config.delete_policy(visible(Policy, writer(request), policy_id))
    return Status(204, None)
