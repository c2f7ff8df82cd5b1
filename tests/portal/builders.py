"""How to make one Acme object of each portal model, for the generated isolation walks
(tests/test_isolation.py merges these into its ACME_BUILDERS)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models

from steward.portal import services
from steward.portal.choices import ApprovalKind
from steward.portal.models import Approval
from tests.servicedesk.builders import acme_ticket


def acme_approval(world: Any) -> Approval:
    found = Approval.objects.filter(client=world.acme).order_by("pk").first()
    if found is not None:
        return found
    return services.request_approval(
        acme_ticket(world),
        kind=ApprovalKind.OUT_OF_SCOPE_WORK,
        question="Acme: replace the second-floor printer (4 h, billed)",
        by=world.bob,
        contacts=[world.acme_contact],
    )


PORTAL_BUILDERS: dict[str, Callable[[Any], models.Model]] = {
    "portal.approval": acme_approval,
}
