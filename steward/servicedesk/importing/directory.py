"""Names in an import resolved by dictionary lookups: clients, contacts, staff, categories,
agreements, SLA policy versions, statements of work and the refs already stored.

Each table is read once per import (the client-owned ones for a batch's new clients at once),
so the number of queries does not grow with the number of tickets.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Q

from steward.agreements.models import Agreement, ServiceCategory, StatementOfWork
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

    def unknown(self, clients: Iterable[Client]) -> bool:
        """Whether any of ``clients`` has no facts loaded yet."""
        return any(client.pk not in self._facts for client in clients)

    def facts(self, client: Client) -> ClientFacts:
        """What the import knows of ``client`` (``prepare`` it first)."""
        return self._facts[client.pk]

    def prepare(self, clients: Iterable[Client], terms: TermsCache) -> None:
        """Load the facts of the clients not seen yet: five queries for all of them, plus
        their SLA policy versions into ``terms``."""
        todo = {c.pk: c for c in clients if c.pk not in self._facts}
        if not todo:
            return
        ids = list(todo)
        for pk, client in todo.items():
            self._facts[pk] = ClientFacts(client, {}, set(), [], [])
        contacts = Contact.objects.filter(client_id__in=ids).values_list("client_id", "email", "pk")
        for client_id, email, pk in contacts:
            self._facts[client_id].contacts[email.lower()] = pk
        refs = Ticket.objects.filter(client_id__in=ids).exclude(external_ref="")
        for client_id, ref in refs.values_list("client_id", "external_ref"):
            self._facts[client_id].refs.add(ref)
        agreements = Agreement.objects.filter(client_id__in=ids).order_by("-start_date", "-pk")
        for client_id, start, pk in agreements.values_list("client_id", "start_date", "pk"):
            self._facts[client_id].agreements.append((start, pk))
        sows = StatementOfWork.objects.filter(client_id__in=ids).prefetch_related(
            "included_offerings", "excluded_offerings"
        )
        for sow in sows:
            included = {o.pk for o in sow.included_offerings.all()}
            excluded = {o.pk for o in sow.excluded_offerings.all()}
            self._facts[sow.client_id].sows.append(
                (sow.start_date, sow.end_date, included, excluded)
            )
        terms.preload([pk for f in todo for _, pk in self._facts[f].agreements])


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
