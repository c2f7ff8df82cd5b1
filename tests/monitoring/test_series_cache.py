"""The per-process cache of series ids holds only committed series: a batch rolled back must
not hand its ids to the next one (samples have no foreign key to catch a stale id)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from steward.monitoring.services import create_asset
from steward.monitoring.services.samples import resolve_series, series_cache
from tests.conftest import World


class _RolledBack(Exception):
    pass


def test_ids_of_a_rolled_back_transaction_are_not_cached(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    series_cache.clear()
    asset = create_asset(world.acme, name="web-01")
    ref = (world.acme.pk, ("asset", asset.pk), "load1", ())
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(_RolledBack):
        _resolve_then_fail(ref)
    assert series_cache.get_many([ref]) == {}
    with django_capture_on_commit_callbacks(execute=True):
        created = resolve_series([ref])
    assert series_cache.get_many([ref]) == created  # committed: cached


def _resolve_then_fail(ref: Any) -> None:
    with transaction.atomic():
        resolve_series([ref])
        raise _RolledBack
