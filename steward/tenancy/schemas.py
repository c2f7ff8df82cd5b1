"""API shapes for tenancy: <Thing>In for create, <Thing>Patch for partial update, <Thing>Out."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Schema
from pydantic import EmailStr, Field

from steward.api.params import ObjectId
from steward.tenancy.choices import ClientSize, ClientStatus, Role, TokenScope

Name = Field(min_length=1, max_length=200)
CountryCode = Field(default="", pattern=r"^([A-Z]{2})?$", description="ISO 3166-1 alpha-2")


class ClientIn(Schema):
    name: str = Name
    code: str = Field(min_length=1, max_length=20, pattern=r"^[-a-zA-Z0-9_]+$")
    status: ClientStatus = ClientStatus.ACTIVE
    industry: str = Field(default="", max_length=100)
    size: ClientSize = ClientSize.SMALL
    timezone: str = Field(default="UTC", max_length=64)
    country: str = CountryCode
    website: str = Field(default="", max_length=200)
    notes: str = ""
    onboarded_on: date | None = None


class ClientPatch(Schema):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    code: str | None = Field(default=None, min_length=1, max_length=20, pattern=r"^[-a-zA-Z0-9_]+$")
    status: ClientStatus | None = None
    industry: str | None = Field(default=None, max_length=100)
    size: ClientSize | None = None
    timezone: str | None = Field(default=None, max_length=64)
    country: str | None = Field(default=None, pattern=r"^([A-Z]{2})?$")
    website: str | None = Field(default=None, max_length=200)
    notes: str | None = None
    onboarded_on: date | None = None


class ClientOut(Schema):
    id: int
    name: str
    code: str
    status: str
    industry: str
    size: str
    timezone: str
    country: str
    website: str
    notes: str
    onboarded_on: date | None
    created_at: datetime
    updated_at: datetime


class SiteIn(Schema):
    name: str = Name
    address: str = ""
    city: str = Field(default="", max_length=100)
    postcode: str = Field(default="", max_length=20)
    country: str = CountryCode
    timezone: str = Field(default="UTC", max_length=64)


class SitePatch(Schema):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    address: str | None = None
    city: str | None = Field(default=None, max_length=100)
    postcode: str | None = Field(default=None, max_length=20)
    country: str | None = Field(default=None, pattern=r"^([A-Z]{2})?$")
    timezone: str | None = Field(default=None, max_length=64)


class SiteOut(Schema):
    id: int
    client_id: int
    name: str
    address: str
    city: str
    postcode: str
    country: str
    timezone: str


class ContactIn(Schema):
    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(default="", max_length=100)
    email: EmailStr
    phone: str = Field(default="", max_length=40)
    title: str = Field(default="", max_length=100)
    is_primary: bool = False
    site_id: ObjectId | None = None


class ContactPatch(Schema):
    first_name: str | None = Field(default=None, min_length=1, max_length=100)
    last_name: str | None = Field(default=None, max_length=100)
    email: EmailStr | None = None
    phone: str | None = Field(default=None, max_length=40)
    title: str | None = Field(default=None, max_length=100)
    is_primary: bool | None = None
    site_id: ObjectId | None = None


class ContactOut(Schema):
    id: int
    client_id: int
    site_id: int | None
    first_name: str
    last_name: str
    email: str
    phone: str
    title: str
    is_primary: bool


class UserIn(Schema):
    username: str = Field(min_length=1, max_length=150, pattern=r"^[\w.@+-]+$")
    role: Role
    email: EmailStr | None = None
    first_name: str = Field(default="", max_length=150)
    last_name: str = Field(default="", max_length=150)
    password: str | None = Field(default=None, min_length=1, max_length=128)
    client_id: ObjectId | None = None
    assigned_client_ids: list[ObjectId] = []
    sees_all_clients: bool = False


class UserPatch(Schema):
    role: Role | None = None
    email: EmailStr | None = None
    first_name: str | None = Field(default=None, max_length=150)
    last_name: str | None = Field(default=None, max_length=150)
    password: str | None = Field(default=None, min_length=1, max_length=128)
    is_active: bool | None = None
    assigned_client_ids: list[ObjectId] | None = None
    sees_all_clients: bool | None = None


class UserOut(Schema):
    id: int
    username: str
    role: str
    email: str
    first_name: str
    last_name: str
    is_active: bool
    client_id: int | None
    sees_all_clients: bool
    assigned_client_ids: list[int]
    last_login: datetime | None

    @staticmethod
    def resolve_assigned_client_ids(obj: object) -> list[int]:
        return sorted(c.pk for c in obj.assigned_clients.all())  # type: ignore[attr-defined]


class TokenIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    scopes: list[TokenScope] = [TokenScope.READ]
    expires_at: datetime | None = None
    user_id: ObjectId | None = Field(
        default=None, description="Owners/admins: issue for another user"
    )


class TokenOut(Schema):
    id: int
    user_id: int
    name: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


class TokenCreated(TokenOut):
    token: str = Field(description="The secret: shown this once, stored only as a hash")
