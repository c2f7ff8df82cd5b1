"""What the service desk contributes to the obligation engine: SLA attainment, mean times,
backlog, reopens, first-contact resolution and satisfaction, per client and period.

Values come from ``steward.servicedesk.stats`` (aggregates, one query each); the evidence is the
tickets (or surveys) behind the value, those that count against the promise first, at most
``EVIDENCE_LIMIT`` of them. Whether each ticket met its response or resolution target is judged
against the SLA policy of the client's agreement in force when it was opened; the policies
(ids, versions and targets) are recorded in ``inputs`` so a closed period stays explainable.
Definitions: docs/servicedesk.md, "Measures".
"""

from steward.servicedesk.measures import flow, satisfaction, sla
from steward.servicedesk.measures.common import EVIDENCE_LIMIT, ticket_url
from steward.servicedesk.measures.flow import backlog_age, first_contact_resolution, reopen_rate
from steward.servicedesk.measures.satisfaction import csat_average, csat_response_rate
from steward.servicedesk.measures.sla import (
    mean_time_to_acknowledge,
    mean_time_to_resolve,
    resolution_attainment,
    response_attainment,
)

# Importing the modules registers their measures (``steward.obligations.registry``).
__all__ = [
    "EVIDENCE_LIMIT",
    "backlog_age",
    "csat_average",
    "csat_response_rate",
    "first_contact_resolution",
    "flow",
    "mean_time_to_acknowledge",
    "mean_time_to_resolve",
    "reopen_rate",
    "resolution_attainment",
    "response_attainment",
    "satisfaction",
    "sla",
    "ticket_url",
]
