"""DNS: resolve a name at a given resolver (or the system's) and compare the records."""

from __future__ import annotations

import time

import dns.asyncresolver
import dns.exception
import dns.rdatatype
import dns.resolver

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


@register("dns")
async def run_dns(check: CheckSpec, ctx: CheckContext) -> CheckOutcome:
    params = Params(check.params)
    name = params.text("name")
    rdtype = params.text("rdtype", "A").upper()
    try:
        dns.rdatatype.from_text(rdtype)
    except dns.exception.DNSException as exc:
        raise ParamError("rdtype", f"unknown record type {rdtype!r}") from exc
    server = params.text("server", None)
    expect = params.items("expect", str, None)
    resolver = dns.asyncresolver.Resolver(configure=server is None)
    if server is not None:
        resolver.nameservers = [server]
        resolver.port = params.integer("port", 53, low=1, high=65535)

    started = time.perf_counter()
    try:
        answer = await resolver.resolve(name, rdtype, lifetime=check.timeout_s)
    except dns.resolver.NXDOMAIN:
        return CheckOutcome(State.CRITICAL, f"{name}: no such domain")
    except dns.resolver.NoAnswer:
        return CheckOutcome(State.CRITICAL, f"{name}: no {rdtype} records")
    except dns.exception.DNSException as exc:
        return CheckOutcome(State.CRITICAL, f"{name} {rdtype}: {exc}")
    elapsed = time.perf_counter() - started
    records = sorted(rdata.to_text() for rdata in answer)
    samples = [Sample("dns_lookup_seconds", elapsed), Sample("dns_records", len(records))]
    described = f"{name} {rdtype} = {', '.join(records)} in {elapsed:.3f} s"
    if expect is not None and sorted(expect) != records:
        return CheckOutcome(
            State.CRITICAL, f"{described}; expected {', '.join(sorted(expect))}", samples=samples
        )
    return CheckOutcome(State.OK, described, samples=samples)
