"""API schemas of the notify app. A channel's URL is write-only: ``ChannelOut`` has its
scheme, never the URL."""

from __future__ import annotations

from datetime import datetime, time
from typing import Annotated

from ninja import Field, Schema
from pydantic import AfterValidator

from steward.core.validation import MAX_ID
from steward.notify.choices import ContactRecipient, DeliveryStatus, StaffRecipient
from steward.notify.events import NoticeKind

Id = Field(default=None, ge=1, le=MAX_ID)


def _wall_clock(value: time) -> time:
    if value.tzinfo is not None:
        raise ValueError("a wall-clock time in the client's zone, without an offset")
    return value


# Quiet hours are read on the client's wall clock; an offset would mean another zone.
WallTime = Annotated[time, AfterValidator(_wall_clock)]


class DeliveryFilters(Schema):
    client_id: int | None = Id
    status: DeliveryStatus | None = None
    kind: NoticeKind | None = None


class DeliveryOut(Schema):
    id: int
    notification_id: int
    client_id: int | None
    kind: str
    subject: str = Field(alias="notification.subject")
    label: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    last_error: str
    sent_at: datetime | None
    created_at: datetime


class ChannelFilters(Schema):
    client_id: int | None = Id


class ChannelIn(Schema):
    client_id: int | None = Id
    name: str = Field(max_length=100)
    url: str = Field(max_length=4000, description="An apprise URL; never returned")
    enabled: bool = True


class ChannelPatch(Schema):
    name: str | None = Field(default=None, max_length=100)
    url: str | None = Field(default=None, max_length=4000)
    enabled: bool | None = None


class ChannelOut(Schema):
    id: int
    client_id: int | None
    name: str
    scheme: str
    enabled: bool
    created_at: datetime


class PolicyFilters(Schema):
    client_id: int | None = Id


class PolicyIn(Schema):
    client_id: int | None = Id
    name: str = Field(max_length=100)
    kinds: list[NoticeKind] = Field(min_length=1)
    enabled: bool = True
    staff: list[StaffRecipient] = []
    contacts: ContactRecipient = ContactRecipient.NONE
    contact_ids: list[int] = Field(default=[], max_length=500)
    user_ids: list[int] = Field(default=[], max_length=500)
    channel_ids: list[int] = Field(default=[], max_length=100)
    quiet_start: WallTime | None = None
    quiet_end: WallTime | None = None
    replaces_msp_policies: bool = False


class PolicyPatch(Schema):
    name: str | None = Field(default=None, max_length=100)
    kinds: list[NoticeKind] | None = Field(default=None, min_length=1)
    enabled: bool | None = None
    staff: list[StaffRecipient] | None = None
    contacts: ContactRecipient | None = None
    contact_ids: list[int] | None = Field(default=None, max_length=500)
    user_ids: list[int] | None = Field(default=None, max_length=500)
    channel_ids: list[int] | None = Field(default=None, max_length=100)
    quiet_start: WallTime | None = None
    quiet_end: WallTime | None = None
    replaces_msp_policies: bool | None = None


class PolicyOut(Schema):
    id: int
    client_id: int | None
    name: str
    kinds: list[str]
    enabled: bool
    staff: list[str]
    contacts: str
    contact_ids: list[int]
    user_ids: list[int]
    channel_ids: list[int]
    quiet_start: time | None
    quiet_end: time | None
    replaces_msp_policies: bool
    created_at: datetime

    @staticmethod
    def resolve_contact_ids(obj: object) -> list[int]:
        return sorted(c.pk for c in obj.named_contacts.all())  # type: ignore[attr-defined]

    @staticmethod
    def resolve_user_ids(obj: object) -> list[int]:
        return sorted(u.pk for u in obj.users.all())  # type: ignore[attr-defined]

    @staticmethod
    def resolve_channel_ids(obj: object) -> list[int]:
        return sorted(c.pk for c in obj.channels.all())  # type: ignore[attr-defined]
