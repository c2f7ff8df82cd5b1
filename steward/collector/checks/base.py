"""What every check type shares: the check as assigned, its outcome, typed access to its params,
the resources a collector lends its checks, and the registry of runners by type."""

from __future__ import annotations

import os
import ssl
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import httpx


class State(StrEnum):
    """A check's state, as the ingest API and Nagios plugins name them."""

    OK = "ok"
    WARNING = "warning"
    CRITICAL = "critical"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Sample:
    """One measured value; the collector stamps it with the check's time and id."""

    metric: str
    value: float
    labels: Mapping[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class CheckOutcome:
    state: State
    summary: str
    duration_ms: float = 0.0
    samples: list[Sample] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class CheckSpec:
    """A check as the server assigns it (docs/ingest.md, `GET /api/v1/ingest/assignments`)."""

    id: int
    type: str
    interval_s: float
    timeout_s: float
    params: Mapping[str, Any] = field(default_factory=dict)


class ParamError(ValueError):
    """A check's params are unusable; the message names the field and the reason."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"params.{name}: {reason}")
        self.field = name


_MISSING: Any = object()


class Params:
    """Typed reads of a check's params that fail with a `ParamError` naming the field."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.raw = raw

    def _get(self, name: str, default: Any, kinds: tuple[type, ...], what: str) -> Any:
        value = self.raw.get(name, default)
        if value is _MISSING or value is None:
            if default is _MISSING:
                raise ParamError(name, "required")
            return default
        # bool is an int in Python; a flag where a number is wanted is a mistake.
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            raise ParamError(name, f"must be {what}, got {type(value).__name__}")
        return value

    def text(self, name: str, default: Any = _MISSING) -> Any:
        value = self._get(name, default, (str,), "a string")
        if value == "" and default is _MISSING:
            raise ParamError(name, "must not be empty")
        return value

    def integer(
        self, name: str, default: Any = _MISSING, *, low: int = 0, high: int = 2**31
    ) -> Any:
        value = self._get(name, default, (int,), "an integer")
        if value is not None and not low <= value <= high:
            raise ParamError(name, f"must be between {low} and {high}, got {value}")
        return value

    def number(self, name: str, default: Any = _MISSING) -> Any:
        value = self._get(name, default, (int, float), "a number")
        return None if value is None else float(value)

    def flag(self, name: str, default: Any = _MISSING) -> Any:
        return self._get(name, default, (bool,), "true or false")

    def items(self, name: str, kind: type, default: Any = _MISSING) -> Any:
        value = self._get(name, default, (list,), "a list")
        if value is not None and not all(isinstance(item, kind) for item in value):
            raise ParamError(name, f"must be a list of {kind.__name__}")
        return value


class CheckContext:
    """What a collector lends its checks: shared HTTP clients and TLS contexts (expensive to
    build per run), and a small memory per check (e.g. the last SNMP counters, for rates)."""

    def __init__(self, max_connections: int = 100) -> None:
        self._limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=20)
        self._http: dict[bool, httpx.AsyncClient] = {}
        self._memory: dict[int, dict[str, Any]] = {}
        self._shared: dict[str, Any] = {}

    def http(self, verify: bool = True) -> httpx.AsyncClient:
        client = self._http.get(verify)
        if client is None:
            # Each check's own timeout wraps the call (run_check); this is only a backstop.
            client = httpx.AsyncClient(verify=verify, limits=self._limits, timeout=120.0)
            self._http[verify] = client
        return client

    def ssl_context(self, verify: bool = True) -> ssl.SSLContext:
        key = f"ssl:{verify}"
        if key not in self._shared:
            context = ssl.create_default_context()
            if not verify:
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
            self._shared[key] = context
        return self._shared[key]  # type: ignore[no-any-return]

    def shared(self, key: str, make: Callable[[], Any]) -> Any:
        """A resource built once per collector (e.g. the SNMP engine)."""
        if key not in self._shared:
            self._shared[key] = make()
        return self._shared[key]

    def memory(self, check_id: int) -> dict[str, Any]:
        return self._memory.setdefault(check_id, {})

    def forget(self, check_id: int) -> None:
        self._memory.pop(check_id, None)

    async def aclose(self) -> None:
        for client in self._http.values():
            await client.aclose()
        self._http.clear()


def os_error_text(exc: OSError) -> str:
    """ "Connection refused" rather than asyncio's "Connect call failed ('127.0.0.1', 80)"."""
    return os.strerror(exc.errno) if exc.errno else str(exc) or type(exc).__name__


Runner = Callable[[CheckSpec, CheckContext], Awaitable[CheckOutcome]]
RUNNERS: dict[str, Runner] = {}


def register(check_type: str) -> Callable[[Runner], Runner]:
    """Make a runner the one for `check_type` (one module per type under checks/)."""

    def add(runner: Runner) -> Runner:
        RUNNERS[check_type] = runner
        return runner

    return add
