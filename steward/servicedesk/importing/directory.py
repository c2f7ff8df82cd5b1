"""Names in an import resolved by dictionary lookups: clients, contacts, staff, categories,
agreements, SLA policy versions, statements of work and the refs already stored.

Each table is read once per import (per client for the client-owned ones, on first use), so
the cost does not grow with the number of tickets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Q

from steward.agreements.models import Agreement, ServiceCategory, SlaPolicy, StatementOfWork
from steward.servicedesk.models import Ticket
from steward.servicedesk.services.sla import TermsCache
from steward.tenancy.models import Client, Contact, User
from steward.tenancy.roles import STAFF_ROLES


@dataclass
class ClientFacts:
    """What an import needs to know about one client."""

    client: Client
    contacts: dict[str, int]  # lower-cased email -> contact id
    refs: set[str]  # external refs already stored (and those imported so far)
    agreements: list[tuple[date, int]]  # (start date, id), latest first
    sows: list[tuple[date, date | None, set[int], set[int]]]  # start, end, included, excluded


@dataclass
class Directory:
    """Lookups for one import, limited to the clients ``user`` can see."""

    user: User
    clients: dict[str, Client] = field(default_factory=dict)
    staff: dict[str, int] = field(default_factory=dict)
    categories: dict[str, tuple[int, int]] = field(default_factory=dict)  # code -> (id, offering)
    _facts: dict[int, ClientFacts] = field(default_factory=dict)

    @classmethod
    def load(cls, user: User) -> Directory:
        directory = cls(user)
        directory.clients = {c.code: c for c in Client.objects.visible_to(user)}
        staff = User.objects.filter(is_active=True).filter(
            Q(is_superuser=True) | Q(role__in=STAFF_ROLES)
        )
        for pk, username, email in staff.values_list("pk", "username", "email"):
            if email:
                directory.staff.setdefault(email.lower(), pk)
            directory.staff[username.lower()] = pk
        directory.categories = {
            code: (pk, offering)
            for pk, code, offering in ServiceCategory.objects.values_list(
                "pk", "code", "offering_id"
            )
        }
        return directory

    def facts(self, client: Client) -> ClientFacts:
        found = self._facts.get(client.pk)
        if found is None:
            found = self._facts[client.pk] = _load_facts(client)
        return found


def _load_facts(client: Client) -> ClientFacts:
    contacts = {
        email.lower(): pk
        for pk, email in Contact.objects.filter(client=client).values_list("pk", "email")
    }
    refs = set(
        Ticket.objects.filter(client=client)
        .exclude(external_ref="")
        .values_list("external_ref", flat=True)
    )
    agreements = list(
        Agreement.objects.filter(client=client)
        .order_by("-start_date", "-pk")
        .values_list("start_date", "pk")
    )
    sows = [
        (
            sow.start_date,
            sow.end_date,
            {o.pk for o in sow.included_offerings.all()},
            {o.pk for o in sow.excluded_offerings.all()},
        )
        for sow in StatementOfWork.objects.filter(client=client).prefetch_related(
            "included_offerings", "excluded_offerings"
        )
    ]
    return ClientFacts(client, contacts, refs, agreements, sows)


def agreement_at(facts: ClientFacts, at: datetime) -> int | None:
    """``services.sla.agreement_for`` from memory: the latest agreement started by then."""
    day = at.date()
    return next((pk for start, pk in facts.agreements if start <= day), None)


def in_scope_at(facts: ClientFacts, offering: int | None, at: datetime) -> bool | None:
    """``services.tickets.in_scope`` from memory."""
    if offering is None:
        return None
    day = at.date()
    current = [s for s in facts.sows if s[0] <= day and (s[1] is None or s[1] >= day)]
    if not current:
        return None
    if any(offering in excluded for _, _, _, excluded in current):
        return False
    return any(offering in included for _, _, included, _ in current)


class PreloadedTerms(TermsCache):
    """A ``TermsCache`` that reads each agreement's policy versions once and picks the one in
    effect in memory (``agreements.sla.policy_in_effect``), instead of one query per instant."""

    def __init__(self) -> None:
        super().__init__()
        self._versions: dict[int, list[SlaPolicy]] = {}

    def policy(self, agreement_id: int | None, at: datetime) -> SlaPolicy | None:
        if agreement_id is None:
            return None
        versions = self._versions.get(agreement_id)
        if versions is None:
            versions = self._versions[agreement_id] = list(
                SlaPolicy.objects.filter(agreement_id=agreement_id)
                .select_related("calendar")
                .prefetch_related("targets__calendar")
                .order_by("-version")
            )
        return next(
            (
                p
                for p in versions
                if p.effective_from <= at and (p.effective_until is None or p.effective_until > at)
            ),
            None,
        )
