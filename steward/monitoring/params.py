"""The ``params`` of each check type (docs/ingest.md), validated with a clear error per field.

Each type is one pydantic model with the documented defaults; ``SECRET_FIELDS`` names the
values stored encrypted and never returned by the user API.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    model_validator,
)
from pydantic import ValidationError as PydanticError

from steward.monitoring.choices import CheckType


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


Host = Field(min_length=1, max_length=255)


def _web_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("an http:// or https:// URL with a host")
    return value


WebUrl = Annotated[str, Field(min_length=1, max_length=2000), AfterValidator(_web_url)]


class HttpParams(_Params):
    url: WebUrl
    method: Literal["GET", "HEAD", "POST", "PUT", "OPTIONS"] = "GET"
    # None: any status from 200 to 399 (the collector's default; not sent as a 200-item list).
    expect_status: list[int] | None = None
    keyword: str | None = Field(default=None, max_length=1000)
    follow_redirects: bool = True
    max_redirects: int = Field(default=5, ge=0, le=30)
    verify_tls: bool = True

    @model_validator(mode="after")
    def _statuses(self) -> HttpParams:
        statuses = self.expect_status
        if statuses is not None and (not statuses or any(not 100 <= s <= 599 for s in statuses)):
            raise ValueError("expect_status: a non-empty list of HTTP statuses (100-599)")
        return self


class TlsParams(_Params):
    host: str = Host
    port: int = Field(default=443, ge=1, le=65535)
    server_name: str | None = Field(default=None, max_length=255)
    warn_days: int = Field(default=21, ge=0, le=3650)
    crit_days: int = Field(default=7, ge=0, le=3650)

    @model_validator(mode="after")
    def _thresholds(self) -> TlsParams:
        if self.crit_days > self.warn_days:
            raise ValueError("crit_days: must not exceed warn_days")
        return self


class TcpParams(_Params):
    host: str = Host
    port: int = Field(ge=1, le=65535)


class DnsParams(_Params):
    name: str = Field(min_length=1, max_length=255)
    rdtype: str = Field(default="A", pattern=r"^[A-Z0-9]{1,10}$")
    server: str | None = Field(default=None, max_length=255)
    port: int = Field(default=53, ge=1, le=65535)
    expect: list[str] | None = None


class PingParams(_Params):
    host: str = Host
    count: int = Field(default=3, ge=1, le=100)
    warn_loss: float = Field(default=0.2, ge=0, le=1)
    crit_loss: float = Field(default=1.0, ge=0, le=1)


class SnmpParams(_Params):
    host: str = Host
    port: int = Field(default=161, ge=1, le=65535)
    version: Literal["2c", "3"] = "2c"
    community: str | None = Field(default=None, max_length=255)
    user: str | None = Field(default=None, max_length=255)
    auth_key: str | None = Field(default=None, max_length=255)
    auth_protocol: Literal["MD5", "SHA", "SHA224", "SHA256", "SHA384", "SHA512"] | None = None
    priv_key: str | None = Field(default=None, max_length=255)
    priv_protocol: Literal["DES", "3DES", "AES", "AES192", "AES256"] | None = None
    get: list[str] = Field(default_factory=list)
    walk: list[str] = Field(default_factory=list)
    interfaces: bool = True

    @model_validator(mode="after")
    def _credentials(self) -> SnmpParams:
        if self.version == "2c" and not self.community:
            raise ValueError("community: required for SNMP v2c")
        if self.version == "3" and not self.user:
            raise ValueError("user: required for SNMP v3")
        for oid in [*self.get, *self.walk]:
            if not oid.strip(".").replace(".", "").isdigit():
                raise ValueError(f"get/walk: {oid!r} is not a numeric OID")
        return self


class PluginParams(_Params):
    command: list[str] = Field(min_length=1, max_length=64)

    @model_validator(mode="after")
    def _argv(self) -> PluginParams:
        if not self.command[0] or any("\x00" in arg for arg in self.command):
            raise ValueError("command: an argv list whose first item is the plugin's path")
        return self


class ScrapeParams(_Params):
    url: WebUrl


PARAMS: dict[str, type[_Params]] = {
    CheckType.HTTP: HttpParams,
    CheckType.TLS: TlsParams,
    CheckType.TCP: TcpParams,
    CheckType.DNS: DnsParams,
    CheckType.PING: PingParams,
    CheckType.SNMP: SnmpParams,
    CheckType.PLUGIN: PluginParams,
    CheckType.SCRAPE: ScrapeParams,
}
SECRET_FIELDS: dict[str, frozenset[str]] = {
    CheckType.SNMP: frozenset({"community", "auth_key", "priv_key"}),
}


def _messages(error: PydanticError) -> list[str]:
    found = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"])
        text = str(item["msg"]).removeprefix("Value error, ")
        found.append(f"params.{where}: {text}" if where else f"params.{text}")
    return found


def validate_params(check_type: str, params: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """(plain params, secret params) for a check of ``check_type``, defaults filled in.

    Raises ValidationError on ``params`` naming each bad field (``params.port: …``).
    """
    model = PARAMS.get(check_type)
    if model is None:
        raise ValidationError({"type": f"unknown check type {check_type!r}"})
    if not isinstance(params, dict):
        raise ValidationError({"params": "an object"})
    try:
        parsed = model.model_validate(params)
    except PydanticError as error:
        raise ValidationError({"params": _messages(error)}) from None
    values = parsed.model_dump(mode="json", exclude_none=True)
    secret_names = SECRET_FIELDS.get(check_type, frozenset())
    secrets = {k: v for k, v in values.items() if k in secret_names}
    plain = {k: v for k, v in values.items() if k not in secret_names}
    return plain, secrets
