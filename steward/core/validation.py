"""Validate-then-write, shared by every app's services."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from django.db import models, transaction

M = TypeVar("M", bound=models.Model)

# The largest id the database can store (a signed 64-bit integer). Django already answers "no
# rows" for larger lookups; inputs that are parsed by hand (API parameters, form values) use it.
MAX_ID = 2**63 - 1


def save_validated(instance: M, *, exclude: list[str] | None = None) -> M:
    """Run the model's full validation, then save; a ValidationError names each bad field."""
    instance.full_clean(exclude=exclude)
    with transaction.atomic():
        instance.save()
    return instance


def apply_changes(instance: M, changes: Mapping[str, Any]) -> M:
    """Set the given fields and save through ``save_validated``; unknown names are refused."""
    field_names = {f.name for f in instance._meta.concrete_fields} | {
        f.attname for f in instance._meta.concrete_fields
    }
    for name, value in changes.items():
        if name not in field_names:
            raise ValueError(f"{type(instance).__name__} has no field {name!r}")
        setattr(instance, name, value)
    return save_validated(instance)
