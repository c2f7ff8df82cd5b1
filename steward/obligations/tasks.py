"""Nightly evaluation: the current and the previous month (and their quarters) of every client.

Evaluating the previous period every night is what makes its results final: the first run after
the month closes (in each client's zone) stores them as final, later runs keep them.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from steward.core.schedule import periodic
from steward.obligations.evaluation import evaluate_all
from steward.obligations.periods import Period


@periodic(every=timedelta(days=1))
@task()
def evaluate_obligations() -> dict[str, int]:
    """Evaluate all obligations for the current and the previous month; idempotent."""
    now = timezone.now()
    # UTC's month: clients east of UTC may already be a day into the next month; they are
    # picked up the next night, when the UTC month follows.
    current = Period.at(now, "UTC")
    summary = {}
    for period in (current.previous(), current):
        run = evaluate_all(period, now)
        summary[period.key] = run.total
    return summary
