"""Background jobs of monitoring: hourly rollups, retention and alert evaluation (``@periodic``)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from steward.core.schedule import periodic
from steward.monitoring.services.alerting import evaluate_alerts
from steward.monitoring.services.retention import prune, recompute_rollups


@periodic(every=timedelta(minutes=15))
@task()
def roll_up_samples() -> int:
    """Recompute the hourly rollups of the last few hours (STEWARD_MONITORING_ROLLUP_HOURS);
    returns the rows written. Idempotent: each run replaces those hours' rollups."""
    return recompute_rollups(timezone.now())


@periodic(every=timedelta(hours=1))
@task()
def prune_monitoring_data() -> dict[str, int]:
    """Delete samples, rollups, check results and batch records past their retention;
    returns how many of each went. Idempotent."""
    return asdict(prune(timezone.now()))


@periodic(every=timedelta(minutes=1))
@task()
def evaluate_alert_rules() -> dict[str, int]:
    """One alert cycle for every client (services.alerting): transitions stored, tickets opened
    and resolved. Idempotent and safe with several workers: each client's span is claimed by
    compare-and-set on its watermark, so a second run at the same instant does nothing."""
    return asdict(evaluate_alerts(timezone.now()))
