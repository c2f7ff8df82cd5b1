"""The charts of an asset page: which series, over which span, read raw or from rollups.

Short spans read raw samples (averaged per ``step`` in the database); longer ones the hourly
rollups, which outlive the raw samples (14 days by default). Each chart's time axis is in the
client's time zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q

from steward.monitoring.charts import Chart, Trend, time_chart
from steward.monitoring.models import Asset, Series
from steward.monitoring.rules.defaults import DISK_FORECAST
from steward.monitoring.services.alert_rules import rule_book
from steward.monitoring.services.retention import HOUR_S
from steward.monitoring.services.samples import raw_points, rollup_points
from steward.monitoring.views.health import DISK_METRIC, DiskForecast, disk_forecasts, disk_series


@dataclass(frozen=True)
class Span:
    key: str
    label: str
    length: timedelta
    step: int  # seconds per point
    raw: bool


SPANS = {
    s.key: s
    for s in (
        Span("24h", "24 hours", timedelta(hours=24), 120, raw=True),
        Span("7d", "7 days", timedelta(days=7), HOUR_S, raw=False),
        Span("30d", "30 days", timedelta(days=30), 3 * HOUR_S, raw=False),
    )
}
DEFAULT_SPAN = "24h"
# Checks' latency metrics (seconds), drawn in milliseconds.
LATENCY_METRICS = {
    "http_response_seconds": "HTTP response",
    "tcp_connect_seconds": "TCP connect",
    "dns_lookup_seconds": "DNS lookup",
    "ping_rtt_seconds": "Ping round trip",
}
PERCENT_METRICS = {
    "cpu_usage_percent": ("CPU", "cpu-high"),
    "memory_used_percent": ("Memory", "memory-high"),
}


@dataclass
class AssetChart:
    title: str
    unit: str
    chart: Chart
    note: str = ""


def series_points(
    series_id: int, since: datetime, until: datetime, span: Span
) -> list[tuple[float, float]]:
    """(Unix seconds, mean) per step of ``span``."""
    if span.raw:
        since_ms, until_ms = int(since.timestamp() * 1000), int(until.timestamp() * 1000)
        rows = raw_points(series_id, since_ms, until_ms, span.step)
    else:
        first_hour = int(since.timestamp()) // HOUR_S * HOUR_S
        rows = rollup_points(series_id, first_hour, int(until.timestamp()), span.step)
    return [(row[0], row[1]) for row in rows]


def _limits(asset: Asset) -> dict[str, float]:
    """The thresholds of the asset's effective rules (defaults with the client's and the
    asset's overrides), by rule id; a disabled rule draws no line."""
    rules = rule_book(asset.client_id).rules_for(asset.pk, asset.kind)
    return {rule.id: rule.threshold for rule in rules}


def _label(series: Series) -> str:
    labels = series.labels or {}
    return ", ".join(f"{v}" for _, v in sorted(labels.items()))


def _disk_chart(
    series: Series, found: DiskForecast | None, now: datetime, span: Span, zone: ZoneInfo
) -> AssetChart:
    since = now - span.length
    # Leave room on the right for the forecast: a quarter of the span ahead of now.
    until = now + span.length / 4 if found is not None else now
    trend, note = None, "no trend yet (too few points in the last day)"
    if found is not None:
        fitted = found.forecast
        crossing = fitted.crossing_at.timestamp() if fitted.crossing_at else None
        trend = Trend(now.timestamp(), fitted.value_now, fitted.slope_per_second, crossing)
        days = found.days_left
        note = (
            "full now"
            if days == 0
            else (f"full in {days:.1f} days" if days is not None else "not filling up")
        )
    chart = time_chart(
        series_points(series.pk, since, now, span),
        since.timestamp(),
        until.timestamp(),
        zone,
        low=0,
        high=100,
        limit=DISK_FORECAST.threshold,
        trend=trend,
    )
    return AssetChart(f"Disk {found.mount if found else _label(series)}".strip(), "%", chart, note)


def asset_charts(
    asset: Asset, series: Any, now: datetime, span: Span, zone: ZoneInfo
) -> list[AssetChart]:
    """CPU, memory, each disk (with its forecast) and the latency of the asset's checks.
    ``series`` is the user's visible series (``Series.objects.visible_to``)."""
    since = now - span.length
    found: list[AssetChart] = []
    own = series.filter(Q(asset=asset) | Q(from_check__asset=asset)).order_by("metric", "pk")
    limits = _limits(asset)
    for item in own.filter(metric__in=list(PERCENT_METRICS)):
        title, rule_id = PERCENT_METRICS[item.metric]
        label = _label(item)
        chart = time_chart(
            series_points(item.pk, since, now, span),
            since.timestamp(),
            now.timestamp(),
            zone,
            low=0,
            high=100,
            limit=limits.get(rule_id),
        )
        found.append(AssetChart(f"{title} {label}".strip(), "%", chart))
    disks = disk_series(own.filter(metric=DISK_METRIC))
    fitted = {f.series.pk: f for f in disk_forecasts(disks, now)}
    found += [_disk_chart(s, fitted.get(s.pk), now, span, zone) for s in disks]
    for item in own.filter(metric__in=list(LATENCY_METRICS)).select_related("from_check"):
        points = [(t, v * 1000) for t, v in series_points(item.pk, since, now, span)]
        chart = time_chart(points, since.timestamp(), now.timestamp(), zone, low=0)
        owner = item.from_check.name if item.from_check else ""
        found.append(AssetChart(f"{LATENCY_METRICS[item.metric]} · {owner}", "ms", chart))
    return found
