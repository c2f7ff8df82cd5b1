"""Who a notice reaches: the policies for its kind and client, resolved to mail addresses
and channels, with the quiet hours that hold each one.

1. The enabled policies whose kinds include the notice's: the client's own, plus the
   MSP-wide ones unless a client policy for the kind replaces them.
2. Each policy names staff by role, the client's contacts (primary, with portal, all, named),
   users and channels; people are reached by mail, channels through apprise.
3. The notice's own ``contact_ids`` (only the client's) and ``user_ids`` are added.
4. One target per address or channel: when two policies reach the same one, the earlier
   release wins (a policy without quiet hours beats one that holds).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import Q, QuerySet, prefetch_related_objects

from steward.notify.choices import ContactRecipient, StaffRecipient
from steward.notify.events import Notice
from steward.notify.models import Channel, Policy
from steward.notify.timing import quiet_until
from steward.servicedesk.routing import staff_seeing_client
from steward.tenancy.choices import Role
from steward.tenancy.models import Client, Contact, User
from steward.tenancy.roles import STAFF_ROLES

P1 = "P1"


@dataclass(frozen=True)
class Target:
    """One address or channel to deliver to; ``held_until`` is set by quiet hours."""

    key: str
    label: str
    address: str = ""
    channel_id: int | None = None
    contact_id: int | None = None
    user_id: int | None = None
    to_client: bool = False
    policy_id: int | None = None
    held_until: datetime | None = None


def zone_of(client: Client | None) -> ZoneInfo:
    try:
        return ZoneInfo(client.timezone if client and client.timezone else "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def policies_for(kind: str, client_id: int | None) -> list[Policy]:
    """Step 1. The kinds are a JSON list, filtered here (the table is small); the recipients
    are fetched for the matching policies only."""
    mine = Q(client__isnull=True) if client_id is None else Q(client_id=client_id)
    rows = Policy.objects.filter(mine | Q(client__isnull=True), enabled=True)
    matching = [p for p in rows if kind in (p.kinds or [])]
    own = [p for p in matching if p.client_id is not None]
    if any(p.replaces_msp_policies for p in own):
        matching = own
    else:
        matching = own + [p for p in matching if p.client_id is None]
    prefetch_related_objects(matching, "named_contacts", "users", "channels")
    return matching


def _staff(role: str, notice: Notice) -> QuerySet[User]:
    users = User.objects.filter(is_active=True, role__in=STAFF_ROLES).exclude(email="")
    cid = notice.client_id
    if role == StaffRecipient.ASSIGNEE:
        assignee = notice.context.get("assignee_id")
        return users.filter(pk=assignee) if isinstance(assignee, int) else users.none()
    if role == StaffRecipient.ASSIGNED_TECHNICIANS:
        return users.filter(role=Role.TECHNICIAN, assigned_clients=cid) if cid else users.none()
    wanted = {
        StaffRecipient.SERVICE_MANAGERS: Role.SERVICE_MANAGER,
        StaffRecipient.ACCOUNT_MANAGERS: Role.ACCOUNT_MANAGER,
    }.get(StaffRecipient(role))
    if wanted is None:
        return users.none()
    users = users.filter(role=wanted)
    return users.filter(staff_seeing_client(cid)) if cid else users


def _contacts(scope: str, client_id: int | None) -> QuerySet[Contact]:
    if client_id is None or scope == ContactRecipient.NONE:
        return Contact.objects.none()
    contacts = Contact.objects.filter(client_id=client_id).exclude(email="")
    if scope == ContactRecipient.PRIMARY:
        return contacts.filter(is_primary=True)
    if scope == ContactRecipient.PORTAL:
        return contacts.filter(user__isnull=False, user__is_active=True)
    return contacts


def user_target(user: User) -> Target:
    return Target(f"mail:{user.email.lower()}", f"{user.get_username()} <{user.email}>",
                  address=user.email, user_id=user.pk)  # fmt: skip


def contact_target(contact: Contact) -> Target:
    name = f"{contact.first_name} {contact.last_name}".strip()
    return Target(f"mail:{contact.email.lower()}", f"{name} <{contact.email}>",
                  address=contact.email, contact_id=contact.pk, to_client=True)  # fmt: skip


def channel_target(channel: Channel) -> Target:
    return Target(f"channel:{channel.pk}", f"{channel.name} ({channel.scheme})",
                  channel_id=channel.pk)  # fmt: skip


def policy_targets(policy: Policy, notice: Notice) -> Iterator[Target]:
    """Step 2, for one policy."""
    for role in policy.staff or []:
        if role in StaffRecipient.values:
            yield from (user_target(u) for u in _staff(role, notice))
    yield from (contact_target(c) for c in _contacts(policy.contacts, notice.client_id))
    for contact in policy.named_contacts.all():
        if contact.client_id == notice.client_id and contact.email:
            yield contact_target(contact)
    for user in policy.users.all():
        if user.is_active and user.email:
            yield user_target(user)
    for channel in policy.channels.all():
        if channel.enabled and channel.client_id in (None, notice.client_id):
            yield channel_target(channel)


def named_targets(notice: Notice) -> Iterator[Target]:
    """Step 3."""
    if notice.contact_ids and notice.client_id is not None:
        contacts = Contact.objects.filter(pk__in=notice.contact_ids, client_id=notice.client_id)
        yield from (contact_target(c) for c in contacts.exclude(email=""))
    if notice.user_ids:
        users = User.objects.filter(pk__in=notice.user_ids, is_active=True).exclude(email="")
        for user in users:
            if user.role in STAFF_ROLES or user.client_id == notice.client_id:
                yield user_target(user)


def merge(targets: Iterable[Target]) -> list[Target]:
    """Step 4: one target per key, the earliest release kept."""
    found: dict[str, Target] = {}
    for target in targets:
        old = found.get(target.key)
        if old is None or _release(target) < _release(old):
            found[target.key] = target
    return list(found.values())


def _release(target: Target) -> datetime:
    return target.held_until or datetime.min.replace(tzinfo=ZoneInfo("UTC"))


def resolve(notice: Notice, client: Client | None, now: datetime) -> list[Target]:
    """Every target of ``notice`` at ``now``, with quiet-hours holds (never for a P1)."""
    zone = zone_of(client)
    found: list[Target] = []
    for policy in policies_for(notice.kind, notice.client_id):
        held = None
        start, end = policy.quiet_start, policy.quiet_end
        if notice.priority != P1 and start is not None and end is not None:
            held = quiet_until(now, start, end, zone)
        found += [
            replace(t, policy_id=policy.pk, held_until=held) for t in policy_targets(policy, notice)
        ]
    found += list(named_targets(notice))
    return merge(found)
