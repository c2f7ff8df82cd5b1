"""What the `steward` commands share about tenants: finding the client a ``--client`` names."""

from __future__ import annotations

from django.core.management.base import CommandError
from django.db.models import Q

from steward.tenancy.models import Client


def find_client(ref: str) -> Client:
    """A client by id, code or name; a CommandError naming ``--client`` when none or several
    match."""
    match = Q(code=ref) | Q(name=ref)
    if ref.isascii() and ref.isdigit():
        match |= Q(pk=int(ref))
    found = list(Client.objects.filter(match)[:2])
    if len(found) != 1:
        raise CommandError(f"--client {ref!r}: no client with this id, code or name")
    return found[0]
