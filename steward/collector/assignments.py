"""The checks this collector should run, read from `GET /api/v1/ingest/assignments`. A bad
entry is skipped and reported by index and field; the good ones still run."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from steward.collector.checks import RUNNERS, CheckSpec

ASSIGNMENTS_PATH = "/api/v1/ingest/assignments"
MIN_INTERVAL_S = 1.0


@dataclass(frozen=True)
class Assignment:
    version: str
    checks: dict[int, CheckSpec] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def _number(entry: dict[str, Any], name: str, default: float | None) -> float:
    value = entry.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name}: must be a number")
    if value <= 0:
        raise ValueError(f"{name}: must be positive, got {value}")
    return float(value)


def parse_check(entry: dict[str, Any]) -> CheckSpec:
    """One entry; a ValueError names the field and the reason. A timeout longer than the
    interval is cut to the interval (a check never overlaps its own next run)."""
    check_id = entry.get("id")
    if isinstance(check_id, bool) or not isinstance(check_id, int):
        raise ValueError("id: must be an integer")
    check_type = entry.get("type")
    if check_type not in RUNNERS:
        raise ValueError(f"type: unknown check type {check_type!r}")
    interval_s = max(MIN_INTERVAL_S, _number(entry, "interval_s", None))
    timeout_s = min(_number(entry, "timeout_s", 10.0), interval_s)
    params = entry.get("params", {})
    if not isinstance(params, dict):
        raise ValueError("params: must be an object")
    return CheckSpec(check_id, check_type, interval_s, timeout_s, params)


def parse_assignments(payload: Any) -> Assignment:
    """The assignment in a server answer; raises ValueError only when the whole is unusable."""
    if not isinstance(payload, dict) or not isinstance(payload.get("checks"), list):
        raise ValueError("assignments: an object with a 'checks' list is required")
    checks: dict[int, CheckSpec] = {}
    errors: list[str] = []
    for index, entry in enumerate(payload["checks"]):
        if not isinstance(entry, dict):
            errors.append(f"checks[{index}]: must be an object")
            continue
        try:
            spec = parse_check(entry)
        except ValueError as exc:
            errors.append(f"checks[{index}].{exc}")
            continue
        if spec.id in checks:
            errors.append(f"checks[{index}].id: {spec.id} is listed twice")
            continue
        checks[spec.id] = spec
    return Assignment(str(payload.get("version", "")), checks, errors)


async def fetch_assignments(client: httpx.AsyncClient, server: str, token: str) -> Assignment:
    """Raises httpx.HTTPError on transport or HTTP errors, ValueError on an unusable body."""
    response = await client.get(
        server.rstrip("/") + ASSIGNMENTS_PATH, headers={"Authorization": f"Bearer {token}"}
    )
    response.raise_for_status()
    return parse_assignments(response.json())
