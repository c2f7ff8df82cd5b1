"""Service availability: the share of the known time in which a client's checks were up."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from steward.monitoring.choices import CheckType
from steward.monitoring.measures.common import (
    EVIDENCE_LIMIT,
    capped,
    check_url,
    duration,
    measured_span,
    percent,
)
from steward.monitoring.measures.intervals import Durations, durations
from steward.monitoring.models import Check, CheckResult
from steward.obligations.choices import Category
from steward.obligations.periods import Period
from steward.obligations.registry import Evidence, MeasureResult, clients_only, measure

# A result stays valid for this many check intervals: one missed run is not an outage of
# knowledge, a collector silent for three is.
STALE_INTERVALS = 3
OUTAGES_KEPT = 20


@dataclass
class CheckTime:
    check: Check
    time: Durations

    @property
    def availability(self) -> Decimal | None:
        return percent(self.time.up, self.time.known)


def check_times(
    checks: list[Check], start: datetime, end: datetime, warning_is_up: bool
) -> list[CheckTime]:
    """Up, down and unknown time of each check in ``[start, end)``: one query for the results
    in the span, one per check for the result in force at ``start``."""
    found: dict[int, list[tuple[datetime, str]]] = {c.pk: [] for c in checks}
    for check in checks:
        before = (
            CheckResult.objects.filter(of_check=check, at__lt=start)
            .order_by("-at", "-pk")
            .values_list("at", "state")
            .first()
        )
        if before is not None:
            found[check.pk].append(before)
    rows = (
        CheckResult.objects.filter(of_check__in=checks, at__gte=start, at__lt=end)
        .order_by("of_check_id", "at", "pk")
        .values_list("of_check_id", "at", "state")
    )
    for check_id, at, state in rows.iterator(chunk_size=5000):
        found[check_id].append((at, state))
    return [
        CheckTime(
            c,
            durations(
                found[c.pk],
                start,
                end,
                timedelta(seconds=STALE_INTERVALS * c.interval_s),
                warning_is_up,
            ),
        )
        for c in checks
    ]


def _bad_params(params: Mapping[str, Any]) -> str:
    check_id, check_type = params["check_id"], params["check_type"]
    if isinstance(check_id, bool) or not isinstance(check_id, int) or check_id < 0:
        return f"check_id must be a check's id, or 0 for every check, not {check_id!r}."
    if check_type and check_type not in CheckType.values:
        allowed = ", ".join(CheckType.values)
        return f"Unknown check_type {check_type!r}: use {allowed}, or an empty value for all."
    return ""


@measure(
    key="monitoring.service_availability",
    name="Availability of monitored services",
    unit="%",
    category=Category.PROACTIVE_MANAGEMENT,
    params={"check_id": 0, "check_type": "", "warning_is_up": True},
)
def service_availability(
    counterparty: Any, period: Period, params: Mapping[str, Any]
) -> MeasureResult:
    """Share of the period in which the client's checks were up (ok, and warning unless
    ``warning_is_up`` is false), from their results; time without a valid result is unknown
    and left out. One check (``check_id``) or the mean of every check (of ``check_type``)."""
    if (refusal := clients_only(counterparty)) is not None:
        return refusal
    if problem := _bad_params(params):
        return MeasureResult(None, note=problem)
    start, end = measured_span(counterparty, period)
    if end <= start:
        return MeasureResult(None, note=f"{period.label} has not started yet.")
    checks = Check.objects.filter(client=counterparty, created_at__lt=end).order_by("name", "pk")
    if params["check_id"]:
        checks = checks.filter(pk=params["check_id"])
    if params["check_type"]:
        checks = checks.filter(type=params["check_type"])
    times = check_times(list(checks), start, end, bool(params["warning_is_up"]))
    if not times:
        return MeasureResult(None, note="The client had no such checks in the period.")
    measured = [t for t in times if t.time.known > 0]
    unknown = sum(t.time.unknown for t in times)
    inputs = _inputs(times, params, start, end)
    if not measured:
        return MeasureResult(
            None, inputs=inputs, note=f"No check results in {period.label}: all time unknown."
        )
    # The mean of the exact shares, rounded once.
    shares = [Decimal(t.time.up) / Decimal(t.time.known) for t in measured]
    mean = 100 * sum(shares, Decimal(0)) / len(shares)
    measured.sort(key=lambda t: (t.availability, t.check.name, t.check.pk))
    evidence, more = capped((_evidence(t) for t in measured[:EVIDENCE_LIMIT]), len(measured))
    notes = [
        f"Mean of {len(measured)} check{'s' if len(measured) != 1 else ''}; "
        f"unknown time left out: {duration(unknown)}."
    ]
    if len(measured) < len(times):
        notes.append(f"{len(times) - len(measured)} without results.")
    return MeasureResult(
        mean.quantize(Decimal("0.0001")),
        evidence=evidence,
        inputs=inputs,
        note=" ".join([*notes, more]).strip(),
    )


def _inputs(
    times: list[CheckTime], params: Mapping[str, Any], start: datetime, end: datetime
) -> dict[str, Any]:
    return {
        "from": start.isoformat(),
        "until": end.isoformat(),
        "stale_after_intervals": STALE_INTERVALS,
        "warning_is_up": bool(params["warning_is_up"]),
        "checks": [
            {
                "id": t.check.pk,
                "type": t.check.type,
                "interval_s": t.check.interval_s,
                "up_s": round(t.time.up),
                "down_s": round(t.time.down),
                "unknown_s": round(t.time.unknown),
                "outages": [
                    [lo.isoformat(), hi.isoformat()] for lo, hi in t.time.outages[:OUTAGES_KEPT]
                ],
            }
            for t in times
        ],
    }


def _evidence(item: CheckTime) -> Evidence:
    time = item.time
    outages = len(time.outages)
    detail = f"{item.availability} %, down {duration(time.down)}"
    if outages:
        detail += f" in {outages} outage{'s' if outages != 1 else ''}"
    if time.unknown:
        detail += f", unknown {duration(time.unknown)}"
    return Evidence(
        f"{item.check.name} ({item.check.get_type_display()}): {detail}",
        url=check_url(item.check.pk),
        ref=f"monitoring.check:{item.check.pk}",
    )
