"""HTTP(S): status, an optional keyword in the body, latency and redirects (followed here, so
the number of hops is known)."""

from __future__ import annotations

import time
from urllib.parse import urljoin

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
from steward.collector.checks.httpclient import HttpError, HttpResponse, fetch, request_target


def status_expected(status: int, expect: list[int] | None) -> bool:
    """The contract's default: any 2xx or 3xx."""
    return 200 <= status <= 399 if not expect else status in expect


def redirected_method(method: str, response: HttpResponse) -> str:
    """What browsers do: after a 303, and after a 301 or 302 to anything but GET or HEAD, the
    next request is a GET."""
    if method in ("GET", "HEAD"):
        return method
    return "GET" if response.status in (301, 302, 303) else method


@register("http")
async def run_http(check: CheckSpec, ctx: CheckContext) -> CheckOutcome:
    params = Params(check.params)
    url = params.text("url")
    try:
        request_target(url)
    except ValueError as exc:
        raise ParamError("url", "must be an absolute http:// or https:// URL") from exc
    method = params.text("method", "GET").upper()
    expect = params.items("expect_status", int, None)
    keyword = params.text("keyword", None)
    follow = params.flag("follow_redirects", True)
    max_redirects = params.integer("max_redirects", 5, high=100)
    context = ctx.ssl_context(params.flag("verify_tls", True))

    started = time.perf_counter()
    redirects, current = 0, url
    try:
        response = await fetch(current, method, context)
        while follow and (location := response.location) is not None:
            if redirects >= max_redirects:
                return CheckOutcome(State.CRITICAL, f"more than {max_redirects} redirects")
            redirects += 1
            current = urljoin(current, location)
            method = redirected_method(method, response)
            response = await fetch(current, method, context)
    except HttpError as exc:
        return CheckOutcome(State.CRITICAL, f"{current}: {exc}")
    except ValueError as exc:  # a redirect to something that is not an http(s) URL
        return CheckOutcome(State.CRITICAL, f"redirect from {url}: {exc}")
    elapsed = time.perf_counter() - started

    samples = [
        Sample("http_response_seconds", elapsed),
        Sample("http_status_code", response.status),
        Sample("http_redirects", redirects),
        Sample("http_content_bytes", len(response.body)),
    ]
    described = f"HTTP {response.status} in {elapsed:.3f} s"
    if redirects:
        described += f" after {redirects} redirect{'s' * (redirects > 1)}"
    if not status_expected(response.status, expect):
        wanted = ", ".join(map(str, expect)) if expect else "200-399"
        return CheckOutcome(State.CRITICAL, f"{described} (expected {wanted})", samples=samples)
    if keyword is not None and keyword not in response.text():
        return CheckOutcome(
            State.CRITICAL, f"{described}; keyword {keyword!r} not found", samples=samples
        )
    return CheckOutcome(State.OK, described, samples=samples)
