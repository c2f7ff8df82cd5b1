"""Demo data for obligations: the default set for each demo client, evaluated for past months.

Evaluation is real: measures answer from whatever data the other demo seeders created before
this one (hence a late order), and "no data" where their app does not exist yet, so the demo's
scorecards show exactly what the product would show.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.utils import timezone

from steward.obligations.evaluation import EvaluationRun, evaluate_all
from steward.obligations.periods import Period
from steward.obligations.services import create_default_obligations
from steward.tenancy.models import Client

DEMO_MONTHS = 6


def seed_obligations(
    clients: Iterable[Client] | None = None,
    now: datetime | None = None,
    months: int = DEMO_MONTHS,
) -> EvaluationRun:
    """Give every (given) client the default obligation set and evaluate the last ``months``
    months and the current one, so scorecards have a history. Safe to run twice."""
    now = now or timezone.now()
    chosen = list(clients) if clients is not None else list(Client.objects.order_by("pk"))
    for client in chosen:
        create_default_obligations(client)
    total = EvaluationRun()
    for period in Period.at(now, "UTC").last(months + 1):
        run = evaluate_all(period, now, clients=chosen)
        total.created += run.created
        total.updated += run.updated
        total.kept += run.kept
        total.errors += run.errors
    return total
