"""The policies an installation starts with (created by migration 0001; editable, deletable).

A notice's own ``contact_ids`` and ``user_ids`` are always reached, so report-ready and
approval-requested notices need no policy: their publisher names the people."""

from __future__ import annotations

from typing import Any

DEFAULT_POLICIES: list[dict[str, Any]] = [
    {"name": "SLA breach: service managers and assignee", "kinds": ["sla_breach"],
     "staff": ["service_managers", "assignee"], "contacts": "none"},
    {"name": "P1 opened: primary contact and service managers", "kinds": ["p1_opened"],
     "staff": ["service_managers"], "contacts": "primary"},
    {"name": "Outages: client contacts", "kinds": ["outage_detected", "outage_recovered"],
     "staff": [], "contacts": "portal"},
    {"name": "Maintenance: client contacts",
     "kinds": ["maintenance_scheduled", "maintenance_starting"], "staff": [], "contacts": "portal"},
    {"name": "Renewals: account managers", "kinds": ["renewal_due"],
     "staff": ["account_managers"], "contacts": "none"},
    {"name": "Security incidents: service managers and primary contact",
     "kinds": ["security_incident"], "staff": ["service_managers"], "contacts": "primary"},
]  # fmt: skip
