"""What the notify app contributes to the obligation engine (category 4, communication):

* ``notify.delivery_success``: the share of the client's deliveries that were sent, among
  those decided (sent or failed for good) that were created in the period.
* ``notify.p1_notification_minutes``: minutes from a P1's detection (its alert's start, or the
  ticket's creation) to the first sent delivery of its ``p1_opened`` notice to a client
  contact; the 90th percentile (nearest rank) or the maximum over the P1s detected in the
  period. A P1 not notified yet counts with the time elapsed so far, so waiting never helps.

Definitions for users: docs/obligations.md, "Notification measures".
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Min, Q
from django.utils import timezone

from steward.notify.choices import DeliveryStatus
from steward.notify.events import NoticeKind
from steward.notify.models import Delivery, Notification
from steward.obligations.choices import Category
from steward.obligations.periods import Period
from steward.obligations.registry import Evidence, MeasureResult, clients_only, measure
from steward.tenancy.models import Client

EVIDENCE_LIMIT = 50
STATISTICS = ("p90", "max")


def span(client: Client, period: Period) -> tuple[datetime, datetime]:
    """The period in the client's zone, cut at now while it runs."""
    start, end = period.bounds(client.timezone)
    return start, min(end, timezone.now())


def nearest_rank(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile: the smallest value with at least ``share`` of the values
    at or below it (p90 of ten values is the ninth)."""
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)), 1) - 1]


def _evidence(d: Delivery, detail: str) -> Evidence:
    return Evidence(f"{d.get_kind_display()} to {d.label}: {detail}",
                    url=f"/notify/deliveries/{d.pk}/", ref=f"notify.delivery:{d.pk}")  # fmt: skip


@measure(
    key="notify.delivery_success",
    name="Notifications delivered",
    unit="%",
    category=Category.COMMUNICATION_REPORTING,
)
def delivery_success(counterparty: Any, period: Period, params: Mapping[str, Any]) -> MeasureResult:
    """Share of the client's notification deliveries created in the period that were sent,
    among those decided (sent, or failed after every retry); ones still pending, held or
    retrying are left out until they are decided."""
    if (refusal := clients_only(counterparty)) is not None:
        return refusal
    start, end = span(counterparty, period)
    rows = Delivery.objects.filter(client=counterparty, created_at__gte=start, created_at__lt=end)
    counts = {s: 0 for s in DeliveryStatus.values}
    for status in rows.values_list("status", flat=True):
        counts[status] += 1
    sent, failed = counts[DeliveryStatus.SENT], counts[DeliveryStatus.FAILED]
    undecided = sum(counts.values()) - sent - failed
    failures = list(
        rows.filter(status=DeliveryStatus.FAILED).order_by("created_at")[:EVIDENCE_LIMIT]
    )
    inputs = {"sent": sent, "failed": failed, "undecided": undecided}
    if not sent + failed:
        note = f"No delivery was decided in {period.label}"
        return MeasureResult(
            None, inputs=inputs, note=note + (f" ({undecided} open)." if undecided else ".")
        )
    value = (Decimal(100) * sent / (sent + failed)).quantize(Decimal("0.01"))
    return MeasureResult(
        value,
        evidence=[_evidence(d, f"failed: {d.last_error[:120]}") for d in failures],
        inputs=inputs,
        note=f"{undecided} still open, left out." if undecided else "",
    )


@measure(
    key="notify.p1_notification_minutes",
    name="Time from P1 detection to client notification",
    unit="min",
    category=Category.COMMUNICATION_REPORTING,
    params={"statistic": "p90"},
)
def p1_notification_minutes(
    counterparty: Any, period: Period, params: Mapping[str, Any]
) -> MeasureResult:
    """Minutes from each P1's detection (its alert's start, else the ticket's creation) to
    the first sent notice of it to a client contact, over the P1s detected in the period:
    the 90th percentile (``statistic`` "p90", nearest rank) or the maximum ("max"). A P1 not
    notified yet counts with the minutes elapsed so far."""
    if (refusal := clients_only(counterparty)) is not None:
        return refusal
    statistic = params.get("statistic", "p90")
    if statistic not in STATISTICS:
        return MeasureResult(None, note=f"statistic must be one of {', '.join(STATISTICS)}")
    start, end = span(counterparty, period)
    notices = list(
        Notification.objects.filter(
            client=counterparty, kind=NoticeKind.P1_OPENED, at__gte=start, at__lt=end
        )
        .annotate(
            first_sent=Min(
                "deliveries__sent_at",
                filter=Q(deliveries__to_client=True, deliveries__status=DeliveryStatus.SENT),
            )
        )
        .order_by("at", "pk")
    )
    if not notices:
        return MeasureResult(None, note=f"No P1 was detected in {period.label}.")
    now = timezone.now()
    delays = {n.pk: ((n.first_sent or now) - n.at).total_seconds() / 60 for n in notices}
    waiting = [n for n in notices if n.first_sent is None]
    value = max(delays.values()) if statistic == "max" else nearest_rank(list(delays.values()), 0.9)
    worst = sorted(notices, key=lambda n: -delays[n.pk])[:EVIDENCE_LIMIT]
    evidence = [
        Evidence(
            f"{n.subject}: {'not notified yet, ' if n.first_sent is None else ''}"
            f"{delays[n.pk]:.1f} min",
            url=f"/tickets/{n.context['ticket_id']}/" if n.context.get("ticket_id") else "",
            ref=f"notify.notification:{n.pk}",
        )
        for n in worst
    ]
    return MeasureResult(
        Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP),
        evidence=evidence,
        inputs={
            "statistic": statistic,
            "p1s": len(notices),
            "not_notified": len(waiting),
            "delays_min": {str(k): round(v, 2) for k, v in delays.items()},
        },
        note=f"{len(waiting)} not notified yet (counted up to now)." if waiting else "",
    )
