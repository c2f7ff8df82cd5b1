"""Housekeeping jobs of the shared kernel."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.core import management
from django_tasks import task

from steward.core.audit import verify_chain
from steward.core.schedule import periodic

log = logging.getLogger(__name__)


@periodic(every=timedelta(days=1))
@task()
def clear_expired_sessions() -> None:
    management.call_command("clearsessions")


@periodic(every=timedelta(hours=6))
@task()
def check_audit_chain() -> str:
    """Verify the audit chain; a broken chain is logged as an error for the operator to see."""
    problem = verify_chain()
    if problem is not None:
        log.error("audit log integrity check failed: %s", problem)
        return str(problem)
    return "ok"


@periodic(every=timedelta(days=1))
@task()
def prune_finished_jobs() -> None:
    management.call_command("prune_db_task_results", min_age_days=14, verbosity=0)
