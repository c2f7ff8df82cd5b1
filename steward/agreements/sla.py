"""Reading SLA policies as of an instant (the versioning rule is in models/sla.py)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q

from steward.agreements.models import Agreement, SlaPolicy


def policy_in_effect(agreement: Agreement, at: datetime) -> SlaPolicy | None:
    """The version of ``agreement``'s SLA policy in effect at ``at``, or None (before the first
    version, or after the policy was retired)."""
    if at.tzinfo is None:
        raise ValueError("naive datetime: pass an aware instant")
    return (
        SlaPolicy.objects.filter(agreement=agreement, effective_from__lte=at)
        .filter(Q(effective_until__isnull=True) | Q(effective_until__gt=at))
        .prefetch_related("targets")
        .order_by("-version")
        .first()
    )
