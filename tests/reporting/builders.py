"""How to make Acme's reporting objects for the generated isolation walks (merged into
ACME_BUILDERS by tests/test_isolation.py). A stored report without rendering: the walk needs
a row, not a real PDF."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models

from steward.reporting.models import StoredReport


def acme_stored_report(world: Any) -> StoredReport:
    found = StoredReport.objects.filter(client=world.acme).order_by("pk").first()
    return found or StoredReport.objects.create(
        client=world.acme,
        period="2026-10",
        version=1,
        sha256="0" * 64,
        size=len(b"%PDF acme"),
        pdf=b"%PDF acme",
    )


REPORTING_BUILDERS: dict[str, Callable[[Any], models.Model]] = {
    "reporting.storedreport": acme_stored_report,
}
