"""Business operations on obligations: the only place that changes them.

Evaluation (computing and storing results) lives in evaluation.py; these verbs create, edit and
remove the promises themselves. Every model written here is audited by signal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction

from steward.core.validation import apply_changes, save_validated
from steward.obligations.defaults import DEFAULT_OBLIGATIONS, DefaultObligation
from steward.obligations.models import Obligation, VendorProgram
from steward.tenancy.models import Client


class ObligationHasHistory(Exception):
    """Deleting the obligation would erase the final results of closed periods."""


def create_vendor_program(**fields: Any) -> VendorProgram:
    """Record a vendor partner program that the MSP owes obligations to."""
    return save_validated(VendorProgram(**fields))


def create_obligation(**fields: Any) -> Obligation:
    """Create an obligation after checking its measure, parameters and counterparty."""
    return save_validated(Obligation(**fields))


def update_obligation(obligation: Obligation, changes: Mapping[str, Any]) -> Obligation:
    """Edit an obligation. Stored evaluations keep the target they were judged against."""
    return apply_changes(obligation, changes)


def delete_obligation(obligation: Obligation) -> None:
    """Delete an obligation that has no final (closed-period) results; otherwise refuse, since
    that history is what the scorecard proves: deactivate it instead."""
    if obligation.evaluations.filter(final=True).exists():
        raise ObligationHasHistory(
            "this obligation has results for closed periods; set active=false instead"
        )
    with transaction.atomic():
        obligation.delete()


def _signature(measure_key: str, params: Mapping[str, Any]) -> tuple[str, str]:
    return measure_key, repr(sorted(params.items()))


def create_default_obligations(
    client: Client,
    agreement: Any = None,
    defaults: Iterable[DefaultObligation] = DEFAULT_OBLIGATIONS,
) -> list[Obligation]:
    """Give ``client`` the default obligation set (all eight areas), citing ``agreement``.

    Idempotent: a default whose measure and parameters the client already has is skipped, so a
    second agreement or a re-run of the demo does not duplicate promises.
    """
    have = {
        _signature(key, params or {})
        for key, params in Obligation.objects.filter(client=client).values_list(
            "measure_key", "params"
        )
    }
    reference = str(agreement) if agreement is not None else ""
    created = []
    with transaction.atomic():
        for item in defaults:
            if _signature(item.measure_key, item.params) in have:
                continue
            created.append(
                create_obligation(
                    client=client,
                    name=item.name,
                    category=item.category,
                    measure_key=item.measure_key,
                    params=dict(item.params),
                    comparator=item.comparator,
                    target=item.target,
                    at_risk_margin=item.at_risk_margin,
                    period_kind=item.period_kind,
                    source_clause=item.source_clause,
                    source_reference=reference,
                    agreement=agreement,
                )
            )
    return created


def on_agreement_saved(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    """A new agreement brings the default obligation set for its client (fixtures excepted)."""
    if not created or kwargs.get("raw"):
        return
    client = getattr(instance, "client", None)
    if isinstance(client, Client):
        create_default_obligations(client, agreement=instance)
