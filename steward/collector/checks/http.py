"""HTTP(S): status, an optional keyword in the body, latency and redirects.

Redirects are followed here rather than by httpx, so that `max_redirects` can differ per check
on one shared client and the number of hops is known."""

from __future__ import annotations

import time

import httpx

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


def status_expected(status: int, expect: list[int] | None) -> bool:
    """The contract's default: any 2xx or 3xx."""
    return 200 <= status <= 399 if not expect else status in expect


@register("http")
async def run_http(check: CheckSpec, ctx: CheckContext) -> CheckOutcome:
    params = Params(check.params)
    url = params.text("url")
    if not url.startswith(("http://", "https://")):
        raise ParamError("url", "must start with http:// or https://")
    method = params.text("method", "GET").upper()
    expect = params.items("expect_status", int, None)
    keyword = params.text("keyword", None)
    follow = params.flag("follow_redirects", True)
    max_redirects = params.integer("max_redirects", 5, high=100)
    client = ctx.http(params.flag("verify_tls", True))

    started = time.perf_counter()
    redirects = 0
    try:
        request = client.build_request(method, url)
        response = await client.send(request)
        while follow and response.next_request is not None:
            if redirects >= max_redirects:
                return CheckOutcome(State.CRITICAL, f"more than {max_redirects} redirects")
            redirects += 1
            response = await client.send(response.next_request)
    except httpx.HTTPError as exc:
        return CheckOutcome(State.CRITICAL, f"{url}: {type(exc).__name__}: {exc}")
    elapsed = time.perf_counter() - started

    samples = [
        Sample("http_response_seconds", elapsed),
        Sample("http_status_code", response.status_code),
        Sample("http_redirects", redirects),
        Sample("http_content_bytes", len(response.content)),
    ]
    described = f"HTTP {response.status_code} in {elapsed:.3f} s"
    if redirects:
        described += f" after {redirects} redirect{'s' * (redirects > 1)}"
    if not status_expected(response.status_code, expect):
        wanted = ", ".join(map(str, expect)) if expect else "200-399"
        return CheckOutcome(State.CRITICAL, f"{described} (expected {wanted})", samples=samples)
    if keyword is not None and keyword not in response.text:
        return CheckOutcome(
            State.CRITICAL, f"{described}; keyword {keyword!r} not found", samples=samples
        )
    return CheckOutcome(State.OK, described, samples=samples)
