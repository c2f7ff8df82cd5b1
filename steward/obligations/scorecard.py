"""Scorecards, read from stored evaluations (a GET never computes or writes).

One client's scorecard groups its active obligations by area with value, target, status, a trend
of the last periods and the evidence; the portfolio shows the worst status per client and area.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from steward.obligations.choices import Category, Status, category_number, worst
from steward.obligations.models import Evaluation, Obligation
from steward.obligations.periods import Period
from steward.obligations.registry import registry
from steward.tenancy.models import Client

TREND_LENGTH = 12
NOT_EVALUATED = "Not evaluated yet for this period."


@dataclass
class TrendPoint:
    period: str
    value: Decimal | None
    status: str


@dataclass
class Line:
    """One obligation on a scorecard, for the period of its kind."""

    obligation: Obligation
    period: Period
    evaluation: Evaluation | None
    trend: list[TrendPoint]
    unit: str

    @property
    def status(self) -> str:
        return self.evaluation.status if self.evaluation else Status.NO_DATA

    @property
    def target(self) -> Decimal:
        # The target the stored result was judged against, not today's.
        return self.evaluation.target if self.evaluation else self.obligation.target

    @property
    def comparator(self) -> str:
        return self.evaluation.comparator if self.evaluation else self.obligation.comparator

    @property
    def note(self) -> str:
        return self.evaluation.note if self.evaluation else NOT_EVALUATED

    @property
    def evidence(self) -> list[dict[str, str]]:
        return list(self.evaluation.evidence) if self.evaluation else []

    def as_dict(self) -> dict[str, Any]:
        ev = self.evaluation
        return {
            "obligation_id": self.obligation.pk,
            "name": self.obligation.name,
            "measure_key": self.obligation.measure_key,
            "period": self.period.key,
            "unit": self.unit,
            "status": self.status,
            "value": ev.value if ev else None,
            "target": self.target,
            "comparator": self.comparator,
            "final": bool(ev and ev.final),
            "note": self.note,
            "evaluated_at": ev.evaluated_at if ev else None,
            "source_reference": self.obligation.source_reference,
            "evidence": self.evidence,
            "trend": [vars(p) for p in self.trend],
        }


@dataclass
class Area:
    category: str
    lines: list[Line] = field(default_factory=list)

    @property
    def number(self) -> int:
        return category_number(self.category)

    @property
    def label(self) -> str:
        return str(Category(self.category).label)

    @property
    def status(self) -> str | None:
        return worst([line.status for line in self.lines])

    def as_dict(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "number": self.number,
            "label": self.label,
            "status": self.status,
            "obligations": [line.as_dict() for line in self.lines],
        }


@dataclass
class Scorecard:
    client: Client
    period: Period
    areas: list[Area]

    def as_dict(self) -> dict[str, Any]:
        return {
            "client_id": self.client.pk,
            "client": self.client.name,
            "period": self.period.key,
            "period_label": self.period.label,
            "areas": [a.as_dict() for a in self.areas],
        }


def _unit(obligation: Obligation, evaluation: Evaluation | None) -> str:
    if evaluation is not None and evaluation.unit:
        return evaluation.unit
    return registry.get(obligation.measure_key).unit if obligation.measure_key in registry else ""


def client_scorecard(client: Client, period: Period, trend_length: int = TREND_LENGTH) -> Scorecard:
    """The scorecard of ``client`` for ``period``, in two queries.

    Quarterly obligations show the quarter containing a monthly ``period``; monthly obligations
    show the last month of a quarterly one (Period.as_kind).
    """
    obligations = list(Obligation.objects.filter(client=client, active=True).order_by("name", "pk"))
    windows = {ob.pk: ob.period_for(period).last(trend_length) for ob in obligations}
    keys = {p.key for window in windows.values() for p in window}
    stored = {
        (e.obligation_id, e.period): e
        for e in Evaluation.objects.filter(obligation__in=obligations, period__in=keys)
    }
    areas = {c: Area(c) for c in Category.values}
    for ob in obligations:
        window = windows[ob.pk]
        trend = []
        for p in window:
            row = stored.get((ob.pk, p.key))
            trend.append(
                TrendPoint(p.key, row.value if row else None, row.status if row else Status.NO_DATA)
            )
        current = stored.get((ob.pk, window[-1].key))
        areas[ob.category].lines.append(Line(ob, window[-1], current, trend, _unit(ob, current)))
    return Scorecard(client, period, list(areas.values()))


@dataclass
class PortfolioRow:
    client: Client
    statuses: dict[str, str | None]  # category → worst status, None when nothing is promised

    @property
    def worst(self) -> str | None:
        return worst([s for s in self.statuses.values() if s is not None])

    def as_dict(self) -> dict[str, Any]:
        return {
            "client_id": self.client.pk,
            "client": self.client.name,
            "code": self.client.code,
            "status": self.worst,
            "areas": [
                {"category": c, "number": category_number(c), "status": s}
                for c, s in self.statuses.items()
            ],
        }


def portfolio(clients: Iterable[Client], period: Period) -> list[PortfolioRow]:
    """The worst status per client and area for ``period``, in three queries whatever the
    number of clients. An obligation without a stored result counts as no data."""
    clients = list(clients)
    obligations = Obligation.objects.filter(client__in=clients, active=True)
    keys = {period.as_kind(kind).key: kind for kind in ("monthly", "quarterly")}
    results = {
        (ob_id, kind): status
        for ob_id, key, status in Evaluation.objects.filter(
            obligation__in=obligations, period__in=keys
        ).values_list("obligation_id", "period", "status")
        for kind in [keys[key]]
    }
    statuses: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for ob_id, client_id, category, kind in obligations.values_list(
        "pk", "client_id", "category", "period_kind"
    ):
        statuses[client_id][category].append(results.get((ob_id, kind), Status.NO_DATA))
    return [
        PortfolioRow(c, {cat: worst(statuses[c.pk].get(cat, [])) for cat in Category.values})
        for c in clients
    ]
