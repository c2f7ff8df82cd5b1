"""Demo data for obligations: the default set for each demo client, evaluated for past months.

Evaluation is real: measures answer from whatever data the other demo seeders created before
this one (hence a late order), and "no data" where their app does not exist yet, so the demo's
scorecards show exactly what the product would show.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from django.utils import timezone

from steward.core.demo import DemoContext, demo_seeder
from steward.obligations.evaluation import EvaluationRun, evaluate_all
from steward.obligations.periods import Period
from steward.obligations.services import create_default_obligations
from steward.tenancy.models import Client

DEMO_MONTHS = 6


def seed_obligations(
    clients: Iterable[Client] | None = None,
    now: datetime | None = None,
    months: int = DEMO_MONTHS,
    on_period: Callable[[], None] | None = None,
) -> EvaluationRun:
    """Give every (given) client the default obligation set and evaluate the last ``months``
    months and the current one, so scorecards have a history. A client is evaluated only from
    the month it was onboarded. Safe to run twice."""
    now = now or timezone.now()
    chosen = list(clients) if clients is not None else list(Client.objects.order_by("pk"))
    for client in chosen:
        create_default_obligations(client)
    total = EvaluationRun()
    for period in Period.at(now, "UTC").last(months + 1):
        onboarded = [c for c in chosen if c.onboarded_on is None or c.onboarded_on < period.end]
        if onboarded:
            run = evaluate_all(period, now, clients=onboarded)
            total.created += run.created
            total.updated += run.updated
            total.kept += run.kept
            total.errors += run.errors
        if on_period is not None:
            on_period()
    return total


@demo_seeder(order=900, name="obligations")
def seed_demo(ctx: DemoContext) -> None:
    """Late on purpose: measures read the data that the other apps' seeders created."""
    task = ctx.progress.task("Obligation scorecards", ctx.months + 1)
    seed_obligations(ctx.clients or None, now=ctx.now, months=ctx.months, on_period=task.advance)
