"""What monitoring contributes to the obligation engine (category 2, proactive management):
coverage of managed assets and availability of monitored services, per client and period.

Importing the modules registers their measures (``steward.obligations.registry``);
``ObligationsConfig.ready`` imports this package with every app's ``measures``.
``monitoring.coverage`` replaces the fallback of the default obligation set.
Definitions: docs/obligations.md, "Monitoring measures".
"""

from steward.monitoring.measures import availability, coverage
from steward.monitoring.measures.availability import service_availability
from steward.monitoring.measures.coverage import MANAGED_KINDS
from steward.monitoring.measures.coverage import coverage as monitoring_coverage

__all__ = [
    "MANAGED_KINDS",
    "availability",
    "coverage",
    "monitoring_coverage",
    "service_availability",
]
