"""Business operations on agreements, scope, licenses, calendars and SLA policies: the only
place that changes them. Every model written here is audited by signal (apps.py registers
them), whoever calls: API, web UI, admin, CLI or a task.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from steward.agreements.models import (
    Agreement,
    BusinessCalendar,
    License,
    ServiceCategory,
    ServiceOffering,
    SlaPolicy,
    SlaTarget,
    StatementOfWork,
)
from steward.agreements.reminding import acknowledge_reminder, raise_reminders
from steward.agreements.sla import policy_in_effect
from steward.core.validation import apply_changes, save_validated
from steward.tenancy.models import Client

# Re-exported: reminder verbs live in reminding.py, the as-of read in sla.py.
__all__ = ["acknowledge_reminder", "policy_in_effect", "raise_reminders"]

# --- Catalog ------------------------------------------------------------------------------------


def create_offering(**fields: Any) -> ServiceOffering:
    """Add a service offering to the MSP's catalog."""
    return save_validated(ServiceOffering(**fields))


def create_category(offering: ServiceOffering, **fields: Any) -> ServiceCategory:
    """Add a ticket category that ``offering`` covers."""
    return save_validated(ServiceCategory(offering=offering, **fields))


# --- Agreements and statements of work ----------------------------------------------------------


def create_agreement(client: Client, **fields: Any) -> Agreement:
    """Record a client's master services agreement. Its governing time zone defaults to the
    client's. (The obligations app adds the default obligation set on creation.)"""
    fields.setdefault("timezone", client.timezone)
    return save_validated(Agreement(client=client, **fields))


def update_agreement(agreement: Agreement, changes: Mapping[str, Any]) -> Agreement:
    """Edit an agreement's terms; renewal and notice dates follow, being derived."""
    if "client" in changes or "client_id" in changes:
        raise ValidationError({"client": "an agreement cannot move to another client"})
    return apply_changes(agreement, changes)


def delete_agreement(agreement: Agreement) -> None:
    """Delete an agreement with its statements of work and SLA policy history."""
    with transaction.atomic():
        agreement.delete()


def _set_scope(
    sow: StatementOfWork,
    included: Iterable[ServiceOffering] | None,
    excluded: Iterable[ServiceOffering] | None,
) -> None:
    inc = set(included) if included is not None else set(sow.included_offerings.all())
    exc = set(excluded) if excluded is not None else set(sow.excluded_offerings.all())
    both = sorted(o.name for o in inc & exc)
    if both:
        raise ValidationError(
            {"excluded_offerings": f"included and excluded at once: {', '.join(both)}"}
        )
    if included is not None:
        sow.included_offerings.set(inc)
    if excluded is not None:
        sow.excluded_offerings.set(exc)


def create_sow(
    agreement: Agreement,
    *,
    included: Iterable[ServiceOffering] = (),
    excluded: Iterable[ServiceOffering] = (),
    **fields: Any,
) -> StatementOfWork:
    """Add a statement of work under ``agreement`` with its scope of offerings."""
    with transaction.atomic():
        sow = save_validated(
            StatementOfWork(agreement=agreement, client=agreement.client, **fields)
        )
        _set_scope(sow, list(included), list(excluded))
    return sow


def update_sow(
    sow: StatementOfWork,
    changes: Mapping[str, Any],
    *,
    included: Iterable[ServiceOffering] | None = None,
    excluded: Iterable[ServiceOffering] | None = None,
) -> StatementOfWork:
    """Edit a statement of work; ``included``/``excluded`` (when given) replace its scope."""
    if {"agreement", "agreement_id", "client", "client_id"} & set(changes):
        raise ValidationError({"agreement": "a statement of work cannot move to another agreement"})
    with transaction.atomic():
        apply_changes(sow, changes)
        _set_scope(
            sow,
            list(included) if included is not None else None,
            list(excluded) if excluded is not None else None,
        )
    return sow


def delete_sow(sow: StatementOfWork) -> None:
    """Delete a statement of work."""
    with transaction.atomic():
        sow.delete()


# --- Licenses -----------------------------------------------------------------------------------


def create_license(client: Client, **fields: Any) -> License:
    """Record a license or subscription resold or managed for ``client``."""
    return save_validated(License(client=client, **fields))


def update_license(license: License, changes: Mapping[str, Any]) -> License:
    """Edit a license's terms (seats, dates, prices)."""
    if "client" in changes or "client_id" in changes:
        raise ValidationError({"client": "a license cannot move to another client"})
    return apply_changes(license, changes)


def set_assigned_seats(license: License, assigned: int) -> License:
    """Record how many seats are in use; over- and under-assignment follow from it."""
    if not isinstance(assigned, int) or assigned < 0:
        raise ValidationError({"assigned_seats": "must be a whole number, zero or more"})
    return apply_changes(license, {"assigned_seats": assigned})


def delete_license(license: License) -> None:
    """Delete a license record."""
    with transaction.atomic():
        license.delete()


# --- Business calendars -------------------------------------------------------------------------


def create_calendar(spec: Mapping[str, Any], client: Client | None = None) -> BusinessCalendar:
    """Store a calendar from its JSON form (validated and normalised); ``client`` empty makes
    it MSP-wide. The calendar's name is the form's ``name``."""
    name = spec.get("name", "")
    calendar = BusinessCalendar(client=client, name=name if isinstance(name, str) else "")
    calendar.spec = dict(spec)
    return save_validated(calendar)


def update_calendar(calendar: BusinessCalendar, spec: Mapping[str, Any]) -> BusinessCalendar:
    """Replace a calendar's JSON form. Clocks already running keep the deadlines they stored."""
    name = spec.get("name", "")
    calendar.name = name if isinstance(name, str) else ""
    calendar.spec = dict(spec)
    return save_validated(calendar)


def delete_calendar(calendar: BusinessCalendar) -> None:
    """Delete a calendar no SLA policy uses (the foreign keys protect it otherwise)."""
    with transaction.atomic():
        calendar.delete()


# --- SLA policies (versioned) -------------------------------------------------------------------

TargetSpec = Mapping[str, Any]


def _instant(now: datetime | None) -> datetime:
    """Versions change on whole seconds: the API shows instants to the millisecond, so a
    microsecond boundary could not be asked about exactly (business time counts whole seconds
    too)."""
    return (now or timezone.now()).replace(microsecond=0)


def _check_targets(targets: Sequence[TargetSpec]) -> None:
    seen: set[str] = set()
    for index, target in enumerate(targets):
        priority = str(target.get("priority", ""))
        if priority in seen:
            raise ValidationError({"targets": f"targets[{index}]: priority {priority} given twice"})
        seen.add(priority)


def _add_targets(policy: SlaPolicy, targets: Sequence[TargetSpec]) -> None:
    _check_targets(targets)
    for index, target in enumerate(targets):
        row = SlaTarget(policy=policy, client=policy.client, **target)
        try:
            save_validated(row, exclude=["policy"])
        except ValidationError as exc:
            fields = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
            detail = "; ".join(
                f"{k}: {' '.join(v)}" if k else " ".join(v) for k, v in fields.items()
            )
            raise ValidationError({"targets": f"targets[{index}]: {detail}"}) from None


def create_sla_policy(
    agreement: Agreement,
    *,
    targets: Sequence[TargetSpec] = (),
    now: datetime | None = None,
    **fields: Any,
) -> SlaPolicy:
    """Give ``agreement`` its SLA policy (version 1), in effect from ``now``. An agreement has
    one policy chain: when one is in effect, edit it instead (``update_sla_policy``)."""
    now = _instant(now)
    if agreement.sla_policies.filter(effective_until__isnull=True).exists():
        raise ValidationError({"agreement": "the agreement already has an SLA policy; edit it"})
    latest = agreement.sla_policies.order_by("-version").first()
    with transaction.atomic():
        policy = save_validated(
            SlaPolicy(
                agreement=agreement,
                client=agreement.client,
                version=latest.version + 1 if latest else 1,
                effective_from=now,
                **fields,
            )
        )
        _add_targets(policy, targets)
    return policy


POLICY_FIELDS = (
    "name",
    "calendar",
    "warning_percent",
    "pause_statuses",
    "credit_percent",
    "credit_cap_percent",
)


TARGET_FIELDS = ("priority", "response_seconds", "resolution_seconds", "plan_seconds", "calendar")


def update_sla_policy(
    policy: SlaPolicy,
    changes: Mapping[str, Any],
    *,
    targets: Sequence[TargetSpec] | None = None,
    now: datetime | None = None,
) -> SlaPolicy:
    """Edit a policy by adding its next version; the edited version is closed, not changed.

    1. Refuse unless ``policy`` is the current version (history is read-only).
    2. Close it: ``effective_until = now``.
    3. Add version + 1 from ``now`` with the old terms overlaid by ``changes``, and ``targets``
       (or a copy of the old targets when none are given).
    """
    now = _instant(now)
    unknown = set(changes) - set(POLICY_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: "cannot be changed on an SLA policy"})
    if policy.effective_until is not None:
        raise ValidationError({"policy": "only the current version of a policy can be edited"})
    if now < policy.effective_from:
        raise ValidationError({"effective_from": "the current version starts after this edit"})
    old_targets = [{k: getattr(t, k) for k in TARGET_FIELDS} for t in policy.targets.all()]
    terms = {name: getattr(policy, name) for name in POLICY_FIELDS} | dict(changes)
    with transaction.atomic():
        policy.effective_until = now
        policy.save(update_fields=["effective_until"])
        successor = save_validated(
            SlaPolicy(
                agreement=policy.agreement,
                client=policy.client,
                version=policy.version + 1,
                effective_from=now,
                **terms,
            )
        )
        _add_targets(successor, old_targets if targets is None else targets)
    return successor


def retire_sla_policy(policy: SlaPolicy, now: datetime | None = None) -> SlaPolicy:
    """End the current version without a successor; its history stays."""
    now = _instant(now)
    if policy.effective_until is not None:
        raise ValidationError({"policy": "this version has already ended"})
    policy.effective_until = max(now, policy.effective_from)
    policy.save(update_fields=["effective_until"])
    return policy
