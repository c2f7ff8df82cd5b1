"""Read-only health figures of clients: assets reporting, failing checks, disk forecasts.

Every query starts at ``visible_to(user)``. The portfolio asks for all clients at once (one
grouped query per figure, not one per client), so its cost does not grow with the client count
beyond the rows themselves.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Avg, Count, F, Q, QuerySet

from steward.monitoring.choices import CheckStatus
from steward.monitoring.models import Asset, CheckState, Sample, Series
from steward.monitoring.rules.defaults import DISK_FORECAST
from steward.monitoring.rules.evaluate import forecast_of
from steward.monitoring.rules.model import Forecast, SeriesWindow

REPORTING_WINDOW = timedelta(hours=24)
FORECAST_HORIZON = timedelta(days=7)
FAILING = (CheckStatus.WARNING, CheckStatus.CRITICAL, CheckStatus.UNKNOWN)
DISK_METRIC = "disk_used_percent"
FIT_BUCKET_MS = 600_000

# The chip classes of the obligations stylesheet: (class, label).
HEALTHY, ATTENTION, FAILING_CHIP, NO_ASSETS = (
    ("met", "Healthy"),
    ("at_risk", "Attention"),
    ("breached", "Failing"),
    ("no_data", "No assets"),
)


@dataclass(frozen=True)
class DiskForecast:
    """A disk's trend: its fill now and when the line reaches 100 % (None: it does not)."""

    series: Series
    forecast: Forecast

    @property
    def mount(self) -> str:
        return str(self.series.labels.get("mount", "")) if self.series.labels else ""

    @property
    def days_left(self) -> float | None:
        crossing = self.forecast.crossing_at
        if crossing is None:
            return None
        return max((crossing - self.forecast.computed_at).total_seconds() / 86_400, 0.0)

    def within(self, horizon: timedelta) -> bool:
        days = self.days_left
        return days is not None and days <= horizon.total_seconds() / 86_400


@dataclass
class ClientHealth:
    client: Any
    assets: int = 0
    reporting: int = 0
    failing: int = 0
    critical: int = 0
    firing: int = 0
    forecasts: list[DiskForecast] = field(default_factory=list)

    @property
    def silent(self) -> int:
        return self.assets - self.reporting

    @property
    def chip(self) -> tuple[str, str]:
        if self.assets == 0 and self.failing == 0:
            return NO_ASSETS
        if self.critical or self.firing:
            return FAILING_CHIP
        if self.failing or self.forecasts:
            return ATTENTION
        return HEALTHY


def disk_series(series: QuerySet[Series]) -> list[Series]:
    """The disk-usage series the forecast rule looks at (pseudo file systems left out)."""
    rows = series.filter(metric=DISK_METRIC, asset__isnull=False).select_related("asset")
    return [
        s
        for s in rows.order_by("asset__name", "pk")
        if DISK_FORECAST.selector.matches(
            s.metric, {k: str(v) for k, v in (s.labels or {}).items()}
        )
    ]


def disk_forecasts(series: Iterable[Series], now: datetime) -> list[DiskForecast]:
    """The forecast rule's line for each series, over its fit window of raw samples; a series
    with too few points for a decision gets none."""
    by_id = {s.pk: s for s in series}
    if not by_id:
        return []
    since_ms = int((now - timedelta(seconds=DISK_FORECAST.window_seconds)).timestamp() * 1000)
    now_ms = int(now.timestamp() * 1000)
    points: dict[int, list[tuple[float, float]]] = defaultdict(list)
    # Means per 10 minutes (at their samples' mean time): a minutely series costs 144 rows a
    # day, not 1,440, and the fitted line hardly moves.
    rows = (
        Sample.objects.filter(series_id__in=list(by_id), ts__gte=since_ms, ts__lte=now_ms)
        .annotate(bucket=F("ts") / FIT_BUCKET_MS)
        .values("series_id", "bucket")
        .annotate(at=Avg("ts"), mean=Avg("value"))
        .order_by("series_id", "bucket")
        .values_list("series_id", "at", "mean")
    )
    for series_id, at, mean in rows:
        points[series_id].append((float(at) / 1000, float(mean)))
    found = []
    for series_id, seen in points.items():
        window = SeriesWindow(f"series:{series_id}", tuple(seen))
        fitted = forecast_of(DISK_FORECAST, window, now)
        if fitted is not None:
            found.append(DiskForecast(by_id[series_id], fitted))
    return found


def failing_states(states: QuerySet[CheckState]) -> QuerySet[CheckState]:
    return states.filter(of_check__enabled=True, state__in=FAILING).select_related(
        "of_check", "of_check__asset"
    )


def portfolio(user: Any, clients: Iterable[Any], now: datetime) -> list[ClientHealth]:
    """The health of each of ``clients`` (already scoped to ``user``)."""
    rows = {c.pk: ClientHealth(c) for c in clients}
    reporting = Q(last_seen_at__gte=now - REPORTING_WINDOW)
    assets = Asset.objects.visible_to(user).filter(client_id__in=list(rows))
    for client_id, total, seen in (
        assets.values("client_id")
        .annotate(total=Count("pk"), seen=Count("pk", filter=reporting))
        .values_list("client_id", "total", "seen")
        .order_by()
    ):
        rows[client_id].assets, rows[client_id].reporting = total, seen
    states = failing_states(CheckState.objects.visible_to(user)).filter(
        of_check__client_id__in=list(rows)
    )
    for client_id, state, count in (
        states.values("of_check__client_id", "state")
        .annotate(n=Count("pk"))
        .values_list("of_check__client_id", "state", "n")
        .order_by()
    ):
        rows[client_id].failing += count
        if state == CheckStatus.CRITICAL:
            rows[client_id].critical += count
    series = disk_series(Series.objects.visible_to(user).filter(client_id__in=list(rows)))
    for found in disk_forecasts(series, now):
        if found.within(FORECAST_HORIZON):
            rows[found.series.client_id].forecasts.append(found)
    return list(rows.values())
