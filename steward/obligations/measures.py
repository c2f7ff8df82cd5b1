"""Measures for the default obligation set.

``tenancy.primary_contact_defined`` is computed from data that exists today. The others measure
data that other apps own (tickets, checks, patches, reports, capacity, invoices, CSAT, QBRs):
they are registered here as *fallbacks* that look for their data source and answer "no data",
saying what is missing, until that app registers the real measure under the same key
(see registry.py). They never invent a value.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.urls import NoReverseMatch, reverse

from steward.obligations.choices import Category
from steward.obligations.periods import Period
from steward.obligations.registry import Evidence, MeasureResult, clients_only, measure
from steward.tenancy.models import Client, Contact


def awaiting_source(app: str, data: str, key: str) -> MeasureResult:
    """ "No data" with the reason: ``app`` (which owns ``data``) is missing or lacks ``key``."""
    if not apps.is_installed(app):
        return MeasureResult(
            None,
            note=f"No data yet: {data} come from {app}, which is not installed.",
            inputs={"source": app, "installed": False},
        )
    return MeasureResult(
        None,
        note=f"No data: {app} is installed but does not provide the measure {key}.",
        inputs={"source": app, "installed": True},
    )


def _client_page(client: Client) -> str:
    """The client's page, where its contacts are listed (the API's address without the web UI)."""
    try:
        return reverse("tenancy:client_detail", args=[client.pk])
    except NoReverseMatch:
        return f"/api/v1/clients/{client.pk}/contacts"


@measure(
    key="tenancy.primary_contact_defined",
    name="Primary contact on record",
    unit="yes/no",
    category=Category.COMMUNICATION_REPORTING,
)
def primary_contact_defined(
    counterparty: Any, period: Period, params: Mapping[str, Any]
) -> MeasureResult:
    """1 when the client had a primary contact on record by the end of the period, else 0."""
    if (refusal := clients_only(counterparty)) is not None:
        return refusal
    _, end = period.bounds(counterparty.timezone)
    contacts = list(
        Contact.objects.filter(client=counterparty, is_primary=True, created_at__lt=end)
        .order_by("pk")
        .only("pk", "first_name", "last_name", "email")
    )
    url = _client_page(counterparty)
    evidence = [
        Evidence(f"Primary contact: {c} <{c.email}>", url=url, ref=f"tenancy.contact:{c.pk}")
        for c in contacts
    ]
    note = "" if contacts else "No contact of this client is marked as primary."
    return MeasureResult(
        1 if contacts else 0,
        evidence=evidence,
        inputs={"primary_contact_ids": [c.pk for c in contacts]},
        note=note,
    )


def _fallback(
    key: str,
    name: str,
    unit: str,
    category: str,
    app: str,
    data: str,
    params: dict[str, Any] | None = None,
) -> None:
    def fn(counterparty: Any, period: Period, params: Mapping[str, Any]) -> MeasureResult:
        return awaiting_source(app, data, key)

    fn.__doc__ = f"{name}. Data: {data} from {app}."
    measure(key=key, name=name, unit=unit, category=category, params=params, fallback=True)(fn)


_fallback(
    "servicedesk.response_attainment",
    "Tickets responded to within the SLA target",
    "%",
    Category.SERVICE_DELIVERY,
    "steward.servicedesk",
    "ticket response times",
    {"priority": "P1"},
)
_fallback(
    "monitoring.coverage",
    "Managed assets under active monitoring",
    "%",
    Category.PROACTIVE_MANAGEMENT,
    "steward.monitoring",
    "assets and their checks",
)
_fallback(
    "security.patch_compliance",
    "Endpoints patched within the deadline",
    "%",
    Category.COMPLIANCE_SECURITY,
    "steward.security",
    "patch states of endpoints",
    {"severity": "critical", "within_days": 14},
)
_fallback(
    "reporting.report_on_time",
    "Report delivered by the deadline",
    "yes/no",
    Category.COMMUNICATION_REPORTING,
    "steward.reporting",
    "report deliveries",
    {"report": "monthly", "business_days": 5},
)
_fallback(
    "people.capacity_reserved",
    "Named capacity reserved",
    "%",
    Category.RESOURCE_MANAGEMENT,
    "steward.people",
    "technician capacity reservations",
)
_fallback(
    "billing.invoices_on_schedule",
    "Invoices issued on schedule",
    "%",
    Category.AGREEMENT_ADHERENCE,
    "steward.billing",
    "invoices and billing schedules",
)
_fallback(
    "servicedesk.csat_average",
    "Average customer satisfaction",
    "/5",
    Category.CONTINUOUS_IMPROVEMENT,
    "steward.servicedesk",
    "CSAT survey answers",
)
_fallback(
    "alignment.qbr_held",
    "Quarterly business review held",
    "yes/no",
    Category.COLLABORATION_ALIGNMENT,
    "steward.alignment",
    "QBR meetings",
)


@measure(
    key="agreements.licenses_within_assignment",
    name="Licenses within their purchased seats",
    unit="%",
    category=Category.AGREEMENT_ADHERENCE,
)
def licenses_within_assignment(
    counterparty: Any, period: Period, params: Mapping[str, Any]
) -> MeasureResult:
    """Share of the client's licenses running in the period that are not over-assigned.

    Reads ``agreements.License`` through the app registry (obligations imports no domain app).
    Seat counts have no history yet, so the value is the state when evaluated; a closed period
    keeps the value of its first evaluation after it ended.
    """
    if (refusal := clients_only(counterparty)) is not None:
        return refusal
    if not apps.is_installed("steward.agreements"):
        return awaiting_source("steward.agreements", "licenses", "licenses_within_assignment")
    license_model = apps.get_model("agreements", "License")
    running = list(
        license_model.objects.filter(
            client=counterparty, start_date__lt=period.end, end_date__gte=period.start
        ).order_by("vendor", "product", "pk")
    )
    if not running:
        return MeasureResult(None, note="No licenses on record for this period.")
    over = [lic for lic in running if lic.assigned_seats > lic.seats]
    evidence = [
        Evidence(
            f"{lic}: {lic.assigned_seats} assigned of {lic.seats} seats",
            ref=f"agreements.license:{lic.pk}",
        )
        for lic in over
    ]
    return MeasureResult(
        Decimal(100) * (len(running) - len(over)) / len(running),
        evidence=evidence,
        inputs={
            "licenses": len(running),
            "over_assigned_ids": [lic.pk for lic in over],
            "seats": {str(lic.pk): [lic.assigned_seats, lic.seats] for lic in running},
        },
    )
