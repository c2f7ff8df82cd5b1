"""Generating and storing report versions (the PDF kept in the database)."""

from __future__ import annotations

import hashlib
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from steward.notify.events import Notice, NoticeKind, publish
from steward.reporting.choices import Paper, Trigger
from steward.reporting.models import StoredReport
from steward.reporting.services.build import build_service_report, parse_month
from steward.reporting.services.render import render_pdf
from steward.tenancy.models import Client, User

VERSION_RACE_RETRIES = 3


def generate(
    client: Client,
    period: str,
    *,
    paper: str = Paper.A4,
    trigger: str = Trigger.MANUAL,
    by: User | None = None,
    now: datetime | None = None,
) -> StoredReport:
    """Build and render the report of ``client`` for ``period`` and store it as the next
    version; then announce it (REPORT_READY) to the notify app's policies.

    1. Build and render outside any transaction (rendering takes a second or more).
    2. Store with version = highest + 1; two generations at once collide on the unique
       constraint and the loser takes the next number.
    """
    now = now or timezone.now()
    month = parse_month(period)
    if paper not in Paper.values:
        raise ValueError(f"paper: {paper!r} is not a paper size (use a4 or letter)")
    pdf = render_pdf(build_service_report(client, month.key, now=now), paper=paper)
    digest = hashlib.sha256(pdf).hexdigest()
    for _ in range(VERSION_RACE_RETRIES):
        latest = StoredReport.objects.filter(client=client, period=month.key).aggregate(
            top=Max("version")
        )["top"]
        try:
            with transaction.atomic():
                stored = StoredReport.objects.create(
                    client=client,
                    period=month.key,
                    version=(latest or 0) + 1,
                    paper=paper,
                    trigger=trigger,
                    sha256=digest,
                    size=len(pdf),
                    pdf=pdf,
                    generated_at=now,
                    generated_by=by,
                )
        except IntegrityError:
            continue
        _announce(stored, month.label)
        return stored
    raise RuntimeError(f"could not number a new version of {client} {month.key}")


def _announce(stored: StoredReport, label: str) -> None:
    client = stored.client
    publish(
        Notice(
            kind=NoticeKind.REPORT_READY,
            client_id=client.pk,
            at=stored.generated_at,
            key=f"report_ready:{client.pk}:{stored.period}:v{stored.version}",
            subject=f"Service report {label} for {client.name} is ready",
            body=f"Version {stored.version} of the service report for {label} was generated.",
            url=reverse("reporting:client", args=[client.pk]),
            context={"period": stored.period, "version": stored.version, "report_id": stored.pk},
        )
    )
