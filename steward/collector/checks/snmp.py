"""SNMP v2c and v3 get and walk (pysnmp's asyncio API), and IF-MIB interface counters turned into
per-second rates from the previous reading of the same check."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from pyasn1.type import univ
from pysnmp.hlapi.v3arch import asyncio as snmp
from pysnmp.proto.rfc1905 import EndOfMibView, NoSuchInstance, NoSuchObject

from steward.collector.checks.base import (
    CheckContext,
    CheckOutcome,
    CheckSpec,
    ParamError,
    Params,
    Sample,
    State,
    register,
)

AUTH_PROTOCOLS = {
    "MD5": snmp.usmHMACMD5AuthProtocol,
    "SHA": snmp.usmHMACSHAAuthProtocol,
    "SHA224": snmp.usmHMAC128SHA224AuthProtocol,
    "SHA256": snmp.usmHMAC192SHA256AuthProtocol,
    "SHA384": snmp.usmHMAC256SHA384AuthProtocol,
    "SHA512": snmp.usmHMAC384SHA512AuthProtocol,
}
PRIV_PROTOCOLS = {
    "DES": snmp.usmDESPrivProtocol,
    "3DES": snmp.usm3DESEDEPrivProtocol,
    "AES": snmp.usmAesCfb128Protocol,
    "AES128": snmp.usmAesCfb128Protocol,
    "AES192": snmp.usmAesCfb192Protocol,
    "AES256": snmp.usmAesCfb256Protocol,
}
IF_NAME, IF_DESCR = "1.3.6.1.2.1.31.1.1.1.1", "1.3.6.1.2.1.2.2.1.2"
# metric -> (64-bit column, 32-bit column or None)
IF_COUNTERS = {
    "if_in_octets_per_second": ("1.3.6.1.2.1.31.1.1.1.6", "1.3.6.1.2.1.2.2.1.10"),
    "if_out_octets_per_second": ("1.3.6.1.2.1.31.1.1.1.10", "1.3.6.1.2.1.2.2.1.16"),
    "if_in_errors_per_second": ("1.3.6.1.2.1.2.2.1.14", None),
    "if_out_errors_per_second": ("1.3.6.1.2.1.2.2.1.20", None),
}


class SnmpFailure(Exception):
    pass


def counter_rate(previous: int, current: int, seconds: float, bits: int) -> float | None:
    """Per-second rate between two readings of a counter. A 32-bit counter that went down has
    wrapped once; a 64-bit one that went down was reset (a wrap would take centuries), so there
    is no rate. None also when no time passed."""
    if seconds <= 0:
        return None
    delta = current - previous
    if delta < 0:
        if bits != 32:
            return None
        delta += 2**32
    return delta / seconds


def auth_data(params: Params) -> snmp.CommunityData | snmp.UsmUserData:
    version = params.text("version", "2c")
    if version == "2c":
        # v2c is insecure, but it is what many devices at client sites still speak.
        return snmp.CommunityData(params.text("community"), mpModel=1)  # noqa: S508
    if version != "3":
        raise ParamError("version", f"must be '2c' or '3', got {version!r}")
    auth_key, priv_key = params.text("auth_key", None), params.text("priv_key", None)
    auth_name = params.text("auth_protocol", "SHA" if auth_key else "NONE").upper()
    priv_name = params.text("priv_protocol", "AES" if priv_key else "NONE").upper()
    if auth_key and auth_name not in AUTH_PROTOCOLS:
        raise ParamError("auth_protocol", f"must be one of {', '.join(AUTH_PROTOCOLS)}")
    if priv_key and priv_name not in PRIV_PROTOCOLS:
        raise ParamError("priv_protocol", f"must be one of {', '.join(PRIV_PROTOCOLS)}")
    return snmp.UsmUserData(
        params.text("user"),
        authKey=auth_key,
        privKey=priv_key,
        authProtocol=AUTH_PROTOCOLS[auth_name] if auth_key else snmp.usmNoAuthProtocol,
        privProtocol=PRIV_PROTOCOLS[priv_name] if priv_key else snmp.usmNoPrivProtocol,
    )


def as_number(value: Any) -> float | None:
    """Integers, counters, gauges and time ticks (all ASN.1 INTEGERs); None for text."""
    return float(int(value)) if isinstance(value, univ.Integer) else None


class Session:
    """One target's engine, credentials and transport for the duration of a check."""

    def __init__(self, engine: Any, auth: Any, target: Any) -> None:
        self.engine, self.auth, self.target = engine, auth, target

    @staticmethod
    def _raise_on(error_indication: Any, error_status: Any, error_index: Any) -> None:
        if error_indication:
            raise SnmpFailure(str(error_indication))
        if error_status:
            raise SnmpFailure(f"{error_status.prettyPrint()} at variable {int(error_index)}")

    async def get(self, oids: Iterable[str]) -> dict[str, Any]:
        binds = [snmp.ObjectType(snmp.ObjectIdentity(oid)) for oid in oids]
        result = await snmp.get_cmd(
            self.engine, self.auth, self.target, snmp.ContextData(), *binds, lookupMib=False
        )
        self._raise_on(*result[:3])
        return {
            str(name): value
            for name, value in result[3]
            if not isinstance(value, NoSuchObject | NoSuchInstance | EndOfMibView)
        }

    async def walk(self, prefix: str) -> dict[str, Any]:
        rows: dict[str, Any] = {}
        bind = snmp.ObjectType(snmp.ObjectIdentity(prefix))
        walker = snmp.bulk_walk_cmd(
            self.engine,
            self.auth,
            self.target,
            snmp.ContextData(),
            0,
            25,
            bind,
            lexicographicMode=False,
            lookupMib=False,
        )
        async for error_indication, error_status, error_index, binds in walker:
            self._raise_on(error_indication, error_status, error_index)
            for name, value in binds:
                if not isinstance(value, NoSuchObject | NoSuchInstance | EndOfMibView):
                    rows[str(name)] = value
        return rows


async def interface_rates(
    session: Session, memory: dict[str, Any], now: float
) -> tuple[list[Sample], list[str]]:
    """Rates of the IF-MIB counters since the previous reading, by interface name."""
    names = await session.walk(IF_NAME) or await session.walk(IF_DESCR)
    by_index = {oid.rsplit(".", 1)[1]: str(value) for oid, value in names.items()}
    previous: dict[str, tuple[float, int]] = memory.get("counters", {})
    current: dict[str, tuple[float, int]] = {}
    samples: list[Sample] = []
    for metric, (column, column32) in IF_COUNTERS.items():
        rows, bits = await session.walk(column), 64 if column32 else 32
        if not rows and column32:
            rows, bits = await session.walk(column32), 32
        for oid, value in rows.items():
            ifname = by_index.get(oid.rsplit(".", 1)[1], oid.rsplit(".", 1)[1])
            key = f"{metric}|{ifname}"
            current[key] = (now, int(value))
            if key in previous:
                then, old = previous[key]
                rate = counter_rate(old, int(value), now - then, bits)
                if rate is not None:
                    samples.append(Sample(metric, rate, {"ifname": ifname}))
    memory["counters"] = current
    return samples, sorted(set(by_index.values()))


@register("snmp")
async def run_snmp(check: CheckSpec, ctx: CheckContext) -> CheckOutcome:
    params = Params(check.params)
    host, port = params.text("host"), params.integer("port", 161, low=1, high=65535)
    auth = auth_data(params)
    gets, walks = params.items("get", str, []), params.items("walk", str, [])
    interfaces = params.flag("interfaces", False)
    if not (gets or walks or interfaces):
        raise ParamError("get", "give at least one of get, walk or interfaces")
    engine = ctx.shared("snmp_engine", snmp.SnmpEngine)
    target = await snmp.UdpTransportTarget.create(
        (host, port), timeout=max(0.2, min(2.0, check.timeout_s / 3)), retries=1
    )
    session = Session(engine, auth, target)
    values: dict[str, Any] = {}
    samples: list[Sample] = []
    notes: list[str] = []
    try:
        if gets:
            values.update(await session.get(gets))
        for prefix in walks:
            values.update(await session.walk(prefix))
        if interfaces:
            rates, ifnames = await interface_rates(session, ctx.memory(check.id), time.time())
            samples += rates
            notes.append(f"interfaces {', '.join(ifnames)}")
    except SnmpFailure as exc:
        return CheckOutcome(State.CRITICAL, f"{host}:{port}: {exc}")
    texts: list[str] = []
    for oid, value in values.items():
        number = as_number(value)
        if number is not None:
            samples.append(Sample("snmp_value", number, {"oid": oid}))
        else:
            texts.append(f"{oid} = {value.prettyPrint()[:80]}")
    missing = [oid for oid in gets if oid not in values]
    summary = "; ".join([f"{len(values)} values", *texts[:3], *notes])
    if missing:
        return CheckOutcome(
            State.WARNING, f"{summary}; no such object: {', '.join(missing)}", samples=samples
        )
    return CheckOutcome(State.OK, summary, samples=samples)
