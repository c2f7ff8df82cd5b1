"""Bearer secrets (API tokens, collector and agent tokens): shown once, stored as a hash.

A token reads ``<kind>_<lookup>_<secret>``: the lookup part finds the row by an indexed column
and the SHA-256 of the whole token is compared in constant time. The secret has 256 bits of
entropy, so a fast hash is as safe as a slow one here and keeps every request cheap.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass


@dataclass(frozen=True)
class NewToken:
    plain: str
    lookup: str
    digest: str


def hash_token(plain: str) -> str:
    return hashlib.sha256(plain.encode()).hexdigest()


def new_token(kind: str) -> NewToken:
    lookup = secrets.token_hex(6)
    plain = f"{kind}_{lookup}_{secrets.token_urlsafe(32)}"
    return NewToken(plain=plain, lookup=lookup, digest=hash_token(plain))


def split_lookup(plain: str, kind: str) -> str | None:
    """The lookup part of a token of this kind, or None when it is not shaped like one."""
    parts = plain.split("_", 2)
    if len(parts) != 3 or parts[0] != kind or len(parts[1]) != 12:
        return None
    return parts[1]


def digest_matches(plain: str, digest: str) -> bool:
    return hmac.compare_digest(hash_token(plain), digest)
