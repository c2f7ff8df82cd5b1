"""Demo data: a registry of seeders that `steward demo` runs in order.

Each app that has something to show puts a ``demo.py`` module beside its models with one or more
functions decorated ``@demo_seeder(order=…)``; the command autodiscovers those modules. Tenancy
seeds clients, sites, contacts and staff first (order 100); later apps read ``ctx.clients`` and
``ctx.shared`` and add their own rows through their services, so every demo row is audited like
any other.

Determinism: every seeder gets its own ``random.Random`` and Faker, both seeded from the run's
seed and the seeder's name. Adding a seeder, or changing how much randomness one draws, never
changes what the others produce.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Protocol

from faker import Faker

# Locales the demo draws names and addresses from; seeders pick one per client country.
DEMO_LOCALES = ("en_US", "de_DE", "en_GB", "fr_FR", "en_AU", "nl_NL")


class DemoRefused(Exception):
    """A seeder will not run against this database (for example: it already holds data)."""


class ProgressTask(Protocol):
    def advance(self, amount: int = 1) -> None: ...


class DemoProgress(Protocol):
    def task(self, description: str, total: int) -> ProgressTask: ...


class _NullTask:
    def advance(self, amount: int = 1) -> None:
        return None


class NullProgress:
    """Progress that shows nothing: for tests and for callers without a terminal."""

    def task(self, description: str, total: int) -> ProgressTask:
        return _NullTask()


@dataclass(frozen=True)
class Credential:
    """A demo sign-in printed once at the end of the run."""

    label: str
    username: str
    password: str


@dataclass
class DemoContext:
    """What a seeder receives. ``clients`` and ``shared`` carry results from earlier seeders
    (``shared`` by agreed keys, e.g. ``"staff"``); ``credentials`` collects sign-ins to print."""

    seed: int
    now: datetime
    months: int
    client_count: int = 25
    append: bool = False
    progress: DemoProgress = field(default_factory=NullProgress)
    clients: list[Any] = field(default_factory=list)
    shared: dict[str, Any] = field(default_factory=dict)
    credentials: list[Credential] = field(default_factory=list)
    seeder_name: str = ""
    rng: random.Random = field(default_factory=random.Random)
    _faker: Faker | None = field(default=None, repr=False)

    def for_seeder(self, name: str) -> DemoContext:
        """A view of this context with randomness seeded for seeder ``name``; the lists and
        dicts are shared, so what one seeder adds the next one sees."""
        return replace(
            self, seeder_name=name, rng=random.Random(f"{self.seed}/{name}"), _faker=None
        )

    @property
    def faker(self) -> Faker:
        # Built lazily: a six-locale Faker takes ~0.2 s to construct and most seeders need none.
        if self._faker is None:
            fake = Faker(list(DEMO_LOCALES))
            fake.seed_instance(random.Random(f"{self.seed}/{self.seeder_name}/faker").random())
            self._faker = fake
        return self._faker


SeederFn = Callable[[DemoContext], None]


@dataclass(frozen=True)
class Seeder:
    name: str
    order: int
    fn: SeederFn


_seeders: dict[str, Seeder] = {}


def demo_seeder(order: int, name: str | None = None) -> Callable[[SeederFn], SeederFn]:
    """Register ``fn`` as a demo seeder; lower ``order`` runs first (tenancy is 100)."""

    def register(fn: SeederFn) -> SeederFn:
        key = name or f"{fn.__module__}.{fn.__qualname__}"
        _seeders[key] = Seeder(key, order, fn)
        return fn

    return register


def registered_seeders() -> list[Seeder]:
    return sorted(_seeders.values(), key=lambda s: (s.order, s.name))


def run_seeders(ctx: DemoContext, seeders: list[Seeder] | None = None) -> DemoContext:
    """Run every registered seeder (or the given ones) in order against ``ctx``."""
    for seeder in seeders if seeders is not None else registered_seeders():
        seeder.fn(ctx.for_seeder(seeder.name))
    return ctx


@contextmanager
def isolated_registry() -> Iterator[dict[str, Seeder]]:
    """For tests: register seeders inside the block without leaking them to other tests."""
    saved = dict(_seeders)
    try:
        yield _seeders
    finally:
        _seeders.clear()
        _seeders.update(saved)
