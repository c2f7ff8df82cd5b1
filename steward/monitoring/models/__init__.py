"""Monitoring models: assets and their facts, collectors and agents, checks and their results,
metric series with raw samples and hourly rollups, and the ingest log."""

from steward.monitoring.models.alerts import (
    Alert,
    AlertCycle,
    AlertEvent,
    AlertRule,
    MaintenanceWindow,
    WebhookSource,
)
from steward.monitoring.models.assets import Asset, AssetFact
from steward.monitoring.models.checks import Check, CheckResult, CheckState
from steward.monitoring.models.collectors import Collector, IngestBatch
from steward.monitoring.models.series import Rollup, Sample, Series

__all__ = [
    "Alert",
    "AlertCycle",
    "AlertEvent",
    "AlertRule",
    "Asset",
    "AssetFact",
    "Check",
    "CheckResult",
    "CheckState",
    "Collector",
    "IngestBatch",
    "MaintenanceWindow",
    "Rollup",
    "Sample",
    "Series",
    "WebhookSource",
]
