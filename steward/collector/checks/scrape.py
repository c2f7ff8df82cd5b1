"""Prometheus and OpenMetrics scrapes: every sample becomes a series under its own name and
labels. A malformed exposition is `unknown`, naming the line."""

from __future__ import annotations

import httpx

from steward.collector.checks.base import (
    CheckContext,
    CheckOutcome,
    CheckSpec,
    Params,
    Sample,
    State,
    register,
)
from steward.collector.exposition import (
    ACCEPT,
    ExpositionError,
    is_openmetrics,
    parse_exposition,
)


@register("scrape")
async def run_scrape(check: CheckSpec, ctx: CheckContext) -> CheckOutcome:
    params = Params(check.params)
    url = params.text("url")
    try:
        response = await ctx.http(params.flag("verify_tls", True)).get(
            url, headers={"Accept": ACCEPT}
        )
    except httpx.HTTPError as exc:
        return CheckOutcome(State.CRITICAL, f"{url}: {type(exc).__name__}: {exc}")
    if response.status_code != 200:
        return CheckOutcome(State.CRITICAL, f"{url}: HTTP {response.status_code}")
    openmetrics = is_openmetrics(response.headers.get("Content-Type"))
    try:
        exposition = parse_exposition(response.text, openmetrics)
    except ExpositionError as exc:
        return CheckOutcome(State.UNKNOWN, f"{url}: malformed exposition: {exc}")
    samples = [Sample(s.name, s.value, s.labels) for s in exposition.samples]
    kind = "OpenMetrics" if openmetrics else "Prometheus text"
    summary = f"{len(samples)} samples ({kind})"
    if exposition.not_finite:
        summary += f"; {exposition.not_finite} NaN or infinite values left out"
    return CheckOutcome(State.OK, summary, samples=samples)
