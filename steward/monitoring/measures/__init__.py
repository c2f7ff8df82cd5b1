"""What monitoring contributes to the obligation engine (category 2, proactive management),
per client and period: coverage of managed assets, availability of monitored services,
alert incidents resolved before the client raised a ticket, mean time to detect, and
problems forecast and prevented.

Importing the modules registers their measures (``steward.obligations.registry``);
``ObligationsConfig.ready`` imports this package with every app's ``measures``.
``monitoring.coverage`` replaces the fallback of the default obligation set.
Definitions: docs/obligations.md, "Monitoring measures".
"""

from steward.monitoring.measures import availability, coverage, detection, forecasts
from steward.monitoring.measures.availability import service_availability
from steward.monitoring.measures.coverage import MANAGED_KINDS
from steward.monitoring.measures.coverage import coverage as monitoring_coverage
from steward.monitoring.measures.detection import (
    alerts_resolved_before_client_ticket,
    mean_time_to_detect,
)
from steward.monitoring.measures.forecasts import problems_forecast, problems_prevented

__all__ = [
    "MANAGED_KINDS",
    "alerts_resolved_before_client_ticket",
    "availability",
    "coverage",
    "detection",
    "forecasts",
    "mean_time_to_detect",
    "monitoring_coverage",
    "problems_forecast",
    "problems_prevented",
    "service_availability",
]
