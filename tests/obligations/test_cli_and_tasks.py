from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django_tasks_db.models import DBTaskResult

from steward.core.schedule import enqueue_due, registered_jobs
from steward.obligations import services
from steward.obligations.choices import Category, Status
from steward.obligations.models import Evaluation
from steward.obligations.tasks import evaluate_obligations

pytestmark = pytest.mark.django_db


@pytest.fixture
def promised(world, controlled):
    controlled["value"] = 99
    for client in (world.acme, world.globex):
        services.create_obligation(
            client=client, name="Controlled", category=Category.SERVICE_DELIVERY,
            measure_key="test.controlled", target=Decimal(95),
        )  # fmt: skip
    return world


def _run(*args: str) -> str:
    out = StringIO()
    call_command("obligations", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_cli_evaluates_all_clients_then_keeps_closed_results(promised, controlled):
    with time_machine.travel(datetime(2026, 11, 5, tzinfo=UTC), tick=False):
        assert "2026-10: 2 created, 0 updated, 0 kept" in _run("evaluate", "--period", "2026-10")
        controlled["value"] = 10
        assert "0 created, 0 updated, 2 kept" in _run("evaluate", "--period", "2026-10")
        assert set(Evaluation.objects.values_list("status", flat=True)) == {Status.MET}
        out = _run("evaluate", "--period", "2026-10", "--client", "acme", "--recompute-closed")
        assert "0 created, 1 updated, 0 kept" in out
    statuses = dict(Evaluation.objects.values_list("client__code", "status"))
    assert statuses == {"acme": Status.BREACHED, "globex": Status.MET}


def test_cli_refuses_bad_input_naming_the_option(promised):
    with pytest.raises(CommandError, match="--period"):
        _run("evaluate", "--period", "October")
    with pytest.raises(CommandError, match="--client: no client with code initech"):
        _run("evaluate", "--period", "2026-10", "--client", "initech")


def test_cli_reports_failing_measures(promised, controlled):
    controlled["fail"] = True
    with pytest.raises(CommandError, match="2 measure"):
        _run("evaluate", "--period", "2026-10")
    assert Evaluation.objects.filter(status=Status.NO_DATA).count() == 2


def test_nightly_job_is_scheduled_daily_and_enqueued():
    job = next(j for j in registered_jobs() if j.task is evaluate_obligations)
    assert job.every.days == 1
    now = datetime(2026, 11, 1, 1, tzinfo=UTC)
    assert job.name in enqueue_due(now)
    assert DBTaskResult.objects.filter(task_path__endswith="evaluate_obligations").count() == 1
    assert job.name not in enqueue_due(now)  # claimed: not enqueued twice


def test_nightly_job_evaluates_current_and_previous_month(promised):
    # 2 November, 03:00 UTC: October has closed in Berlin and New York.
    with time_machine.travel(datetime(2026, 11, 2, 3, tzinfo=UTC), tick=False):
        summary = evaluate_obligations.call()
    assert summary == {"2026-10": 2, "2026-11": 2}
    final = dict(Evaluation.objects.values_list("period", "final").distinct())
    assert final == {"2026-10": True, "2026-11": False}
