"""A token bucket per sender, kept in Django's cache.

``take`` is the pure rule (tested at its boundaries); ``allow`` stores the bucket. With the
default local-memory cache each server process keeps its own buckets, so the limit holds per
process; configure a shared cache (Redis) to hold it across processes. The read-then-write is
not atomic: two requests at the same instant may both pass, which a rate limit can afford.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class Bucket:
    tokens: float
    at: float  # seconds (any monotonic-enough clock; the cache stores wall time)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    bucket: Bucket
    retry_after_s: int  # 0 when allowed


def take(
    bucket: Bucket | None, now: float, *, rate: float, burst: float, cost: float = 1.0
) -> Decision:
    """Refill ``bucket`` at ``rate`` tokens a second up to ``burst``, then take ``cost``.

    A new sender starts with a full bucket. Refused, the answer says how many whole seconds
    until the tokens are there (at least 1).
    """
    if bucket is None:
        tokens = burst
    else:
        elapsed = max(0.0, now - bucket.at)  # a clock that went back refills nothing
        tokens = min(burst, bucket.tokens + elapsed * rate)
    if tokens >= cost:
        return Decision(True, Bucket(tokens - cost, now), 0)
    wait = math.ceil((cost - tokens) / rate) if rate > 0 else 3600
    return Decision(False, Bucket(tokens, now), max(1, wait))


def allow(key: str, now: float, *, rate: float, burst: float) -> Decision:
    """Take one token from the bucket stored under ``key``."""
    stored = cache.get(key)
    bucket = Bucket(*stored) if isinstance(stored, tuple) and len(stored) == 2 else None
    decision = take(bucket, now, rate=rate, burst=burst)
    # Kept long enough to refill completely; after that a fresh bucket is the same thing.
    timeout = max(60, math.ceil(burst / rate) + 60) if rate > 0 else 3600
    cache.set(key, (decision.bucket.tokens, decision.bucket.at), timeout)
    return decision
