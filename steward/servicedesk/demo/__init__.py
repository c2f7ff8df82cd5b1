"""Demo data for the service desk: queues, skills and technician profiles, then a year of
tickets per demo client with their timelines, time entries and satisfaction surveys.

Arrivals follow an office's rhythm: weekdays peak mid-morning and after lunch, Mondays are
busier, weekends and public holidays are quiet, and monitoring alerts fire in bursts whose
repeats are merged into the first ticket. Each ticket is worked as the verbs would work it
(``story.py``), with delays drawn against the client's SLA targets: most meet them, some breach,
and a few clients are served worse than the others, so the scorecards differ.

Volume: a year of tickets written verb by verb would take minutes, so each client's tickets are
built in memory, their SLA columns computed from their events by the same functions the verbs
use, and inserted in bulk in one transaction per client, recorded by one audit entry per client
(the importer's rule). Deterministic: each client draws from its own generator, seeded from the
run's seed and the client's code, so adding clients or re-running for a client whose tickets
were removed gives the others' and its own tickets unchanged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from random import Random
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q

from steward.agreements.models import ServiceCategory, StatementOfWork
from steward.agreements.sla import policy_in_effect
from steward.core import audit
from steward.core.businesstime import between, compile_calendar
from steward.core.choices import AuditAction
from steward.core.demo import DemoContext, demo_seeder
from steward.servicedesk.choices import (
    EventKind,
    Impact,
    LinkKind,
    Source,
    TicketKind,
    Urgency,
    matrix_priority,
)
from steward.servicedesk.demo.story import Built, Desk, merge, work
from steward.servicedesk.demo.texts import ALERTS, SUBJECTS
from steward.servicedesk.importing import bulk
from steward.servicedesk.importing.bulk import PendingEvent
from steward.servicedesk.models import (
    Queue,
    Skill,
    Survey,
    TechnicianProfile,
    Ticket,
    TicketEvent,
    TicketLink,
    TimeEntry,
)
from steward.servicedesk.services.sla import agreement_for
from steward.servicedesk.services.tickets import in_scope
from steward.tenancy.choices import Role
from steward.tenancy.models import Client, Contact, User

# Skills and the catalog categories (agreements/demo.py) that need them.
SKILLS = (
    ("endpoints", "Windows and macOS endpoints", ("endpoint", "patching")),
    ("microsoft-365", "Microsoft 365", ("m365", "email")),
    ("backup", "Backup and recovery", ("backup", "restore")),
    ("security", "Security operations", ("security-alert", "incident")),
    ("networking", "Networking", ("network", "vpn")),
    ("servers", "Servers and virtualisation", ("server",)),
)
# Tickets per open weekday by client size (Mondays a quarter more); closed days a tenth.
DAILY = {"small": 0.5, "medium": 1.4, "large": 3.2}
BURSTS_PER_MONTH = {"small": 0.3, "medium": 0.7, "large": 1.2}
HOUR_WEIGHTS = (0.1, 0.05, 0.05, 0.05, 0.05, 0.1, 0.3, 1, 3, 5, 5.5, 4, 2, 3, 3.5, 3, 2.5, 1.5,
                0.6, 0.3, 0.2, 0.2, 0.1, 0.1)  # fmt: skip
SECURITY = frozenset({"incident", "security-alert"})
# How well each client is served: most on time, one in five clearly worse.
QUALITY = (0.8, 0.9, 1.0, 1.0, 1.6)


# --- Queues, skills, profiles -------------------------------------------------------------------


def seed_routing(technicians: list[User], rng: Random) -> dict[str, Queue]:
    """The two queues, the skills of the catalog, and a profile per technician (safe to run
    twice). There are no verbs for these MSP-wide rows yet; their audit registrations record
    them all the same."""
    desk, _ = Queue.objects.get_or_create(
        name="Service desk", defaults={"is_default": True, "email": "support@msp.example"}
    )
    projects, _ = Queue.objects.get_or_create(
        name="Projects", defaults={"email": "projects@msp.example"}
    )
    categories = {c.code: c for c in ServiceCategory.objects.all()}
    skills = []
    for code, name, needed in SKILLS:
        skill, created = Skill.objects.get_or_create(code=code, defaults={"name": name})
        if created:
            skill.categories.set([categories[c] for c in needed if c in categories])
        skills.append(skill)
    for user in technicians:
        profile, created = TechnicianProfile.objects.get_or_create(user=user)
        if created:
            profile.skills.set(rng.sample(skills, rng.randint(2, 4)))
    desk.members.add(*technicians)
    projects.members.add(*technicians[-2:])
    return {"desk": desk, "projects": projects}


# --- Arrivals -----------------------------------------------------------------------------------


@dataclass
class Burst:
    """Alerts from one host within minutes: the first opens a ticket, the rest are merged."""

    host: str
    first: Built | None = None


def poisson(rng: Random, mean: float) -> int:
    """Knuth's method: fine for the small daily means used here."""
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def arrivals(desk: Desk, start: datetime) -> list[tuple[datetime, Burst | None]]:
    """Creation instants (UTC) from ``start`` to now, each with the alert burst it belongs to."""
    rng, zone = desk.rng, ZoneInfo(desk.client.timezone)
    rate = DAILY.get(desk.client.size, 0.5)
    out: list[tuple[datetime, Burst | None]] = []
    day = start.astimezone(zone).date()
    while (midnight := datetime.combine(day, time(0), tzinfo=zone)) < desk.now:
        office = desk.office
        is_open = office is None or between(office, midnight, midnight + timedelta(days=1)) > 0
        mean = rate * (1.25 if day.weekday() == 0 else 1.0) if is_open else rate / 10
        hours = rng.choices(range(24), HOUR_WEIGHTS, k=poisson(rng, mean))
        out += [(_local(day, h, rng.randrange(3600), zone), None) for h in hours]
        if rng.random() < BURSTS_PER_MONTH.get(desk.client.size, 0.3) / 30:
            burst = Burst(f"{desk.client.code}-srv{rng.randint(1, 12):02d}")
            first = _local(day, rng.randrange(24), rng.randrange(3600), zone)
            out += [
                (first + timedelta(seconds=n * rng.randint(30, 240)), burst)
                for n in range(rng.randint(2, 6))
            ]
        day += timedelta(days=1)
    out.sort(key=lambda item: item[0])
    return [item for item in out if start <= item[0] < desk.now]


def _local(day: date, hour: int, seconds: int, zone: ZoneInfo) -> datetime:
    moment = datetime.combine(day, time(hour), tzinfo=zone) + timedelta(seconds=seconds)
    return moment.astimezone(UTC)


# --- Tickets ------------------------------------------------------------------------------------


def new_ticket(
    desk: Desk, created: datetime, burst: Burst | None, scope: dict[int, bool | None]
) -> Ticket:
    """The ticket as ``open_ticket`` would store it: a user's request or an alert."""
    rng = desk.rng
    category = rng.choice(desk.categories) if desk.categories else None
    incidents, requests = SUBJECTS.get(category.code if category else "", ((), ()))
    kind, contact = TicketKind.INCIDENT, None
    if burst is not None:
        template, impact, urgency = rng.choice(ALERTS)
        subject, source = template.format(host=burst.host), Source.ALERT
    else:
        impact = rng.choices(list(Impact), (2, 5, 9))[0]
        urgency = rng.choices(list(Urgency), (4, 6, 3))[0]
        if category is not None and category.code in SECURITY:
            impact = Impact.HIGH  # a security incident is never one user's small problem
        source = rng.choices((Source.EMAIL, Source.PORTAL, Source.PHONE, Source.STAFF),
                             (9, 5, 4, 1))[0]  # fmt: skip
        contact = rng.choice(list(desk.contacts)) if desk.contacts else None
        if requests and (not incidents or rng.random() < 0.35):
            kind, subject, impact = TicketKind.SERVICE_REQUEST, rng.choice(requests), Impact.LOW
            if rng.random() < 0.1:
                kind = TicketKind.CHANGE
        else:
            subject = rng.choice(incidents) if incidents else "Something is not working"
    return Ticket(
        client=desk.client, agreement=desk.agreement, requester_id=contact, kind=kind,
        subject=subject, description=f"{subject}.", impact=impact, urgency=urgency,
        priority=matrix_priority(impact, urgency), category=category,
        in_scope=scope.get(category.pk) if category else None, source=source,
        queue=desk.queues["projects" if kind == TicketKind.CHANGE else "desk"],
        created_at=created, updated_at=created,
    )  # fmt: skip


def build(desk: Desk, start: datetime) -> tuple[list[Built], list[tuple[Burst, Ticket]]]:
    """Every ticket of the client from ``start`` to now, worked; the repeats of alert bursts
    are returned apart, to be merged once their first ticket has an id."""
    scope = {c.pk: in_scope(desk.client, c, desk.now) for c in desk.categories}
    built, repeats = [], []
    for created, burst in arrivals(desk, start):
        ticket = new_ticket(desk, created, burst, scope)
        if burst is not None and burst.first is not None:
            repeats.append((burst, ticket))
            continue
        done = work(desk, ticket)
        built.append(done)
        if burst is not None:
            burst.first = done
    return built, repeats


def write(desk: Desk, built: list[Built], repeats: list[tuple[Burst, Ticket]]) -> dict[str, int]:
    """Insert the client's tickets and all that hangs off them; returns the counts."""
    Ticket.objects.bulk_create([b.ticket for b in built], batch_size=500)
    merged = []
    for burst, ticket in repeats:
        assert burst.first is not None
        first = burst.first.ticket
        merged.append(merge(desk, ticket, first, first.assignee or desk.technicians[0]))
    Ticket.objects.bulk_create([m.ticket for m in merged], batch_size=500)
    links, events = [], [e for b in built + merged for e in b.events]
    for item in merged:
        duplicate = item.ticket
        if duplicate.merged_into is None:
            continue
        merged_at = next(e.at for e in item.events if e.kind == EventKind.MERGED)
        into = duplicate.merged_into
        events.append(PendingEvent(
            client_id=into.client_id, at=merged_at, kind=EventKind.MERGED,
            actor_id=into.assignee_id, from_value=f"#{duplicate.pk}",
            body=duplicate.description, data={"merged": duplicate.pk}, ticket=into,
        ))  # fmt: skip
        links.append(TicketLink(client_id=duplicate.client_id, ticket=duplicate,
                                kind=LinkKind.DUPLICATE, target=duplicate.merged_into,
                                created_at=merged_at))  # fmt: skip
    entries = [pair for b in built for pair in b.entries]
    TimeEntry.objects.bulk_create([entry for entry, _ in entries], batch_size=500)
    for entry, logged in entries:
        logged.data["entry"] = entry.pk
    surveys = [b.survey for b in built if b.survey is not None]
    Survey.objects.bulk_create(surveys, batch_size=500)
    events += [e for _, e in entries]
    for event in events:
        event.ticket_id = event.ticket.pk  # the ticket had no id when the event was built
    # The importer's writer: executemany/COPY, several times faster than bulk_create here.
    bulk.insert(TicketEvent, events)
    TicketLink.objects.bulk_create(links, batch_size=500)
    return {
        "tickets": len(built) + len(merged),
        "events": len(events),
        "time_entries": len(entries),
        "surveys": len(surveys),
        "merged": len(links),
    }


def load_desk(ctx: DemoContext, client: Client, queues: dict[str, Queue]) -> Desk:
    """What seeding ``client`` needs, read once."""
    agreement = agreement_for(client, ctx.now)
    policy = None if agreement is None else policy_in_effect(agreement, window_start(ctx, client))
    office = None if policy is None else compile_calendar(policy.calendar.calendar_spec())
    assigned = Q(assigned_clients=client) | Q(sees_all_clients=True)
    technicians = list(
        User.objects.filter(assigned, role=Role.TECHNICIAN, is_active=True).distinct()
    ) or list(User.objects.filter(role__in=[Role.OWNER, Role.ADMIN]).order_by("pk")[:1])
    offerings = StatementOfWork.objects.filter(client=client).values("included_offerings")
    categories = list(ServiceCategory.objects.filter(offering__in=offerings).order_by("code"))
    contacts = dict(Contact.objects.filter(client=client).values_list("pk", "first_name"))
    rng = Random(f"{ctx.seed}/{ctx.seeder_name}/{client.code}")
    return Desk(
        client=client, rng=rng, now=ctx.now, agreement=agreement, policy=policy,
        office=office, technicians=sorted(technicians, key=lambda u: u.pk),
        contacts=dict(sorted(contacts.items())), categories=categories, queues=queues,
        quality=rng.choice(QUALITY),
    )  # fmt: skip


def window_start(ctx: DemoContext, client: Client) -> datetime:
    """Tickets start at onboarding, at most ``ctx.months`` months back (the SLA policy the
    agreements seeder wrote is in effect from a day before that)."""
    earliest = ctx.now - timedelta(days=30 * ctx.months)
    if client.onboarded_on is None:
        return earliest
    zone = ZoneInfo(client.timezone)
    onboarded = datetime.combine(client.onboarded_on, time(0), tzinfo=zone).astimezone(UTC)
    return max(earliest, onboarded)


@demo_seeder(order=400, name="servicedesk")
def seed_servicedesk(ctx: DemoContext) -> None:
    """After agreements (200: SLA policies, calendars, catalog), before obligations (900),
    which measure these tickets."""
    clients = ctx.clients or list(Client.objects.order_by("pk"))
    staff = ctx.shared.get("staff", {}).get(Role.TECHNICIAN)
    technicians = staff or list(User.objects.filter(role=Role.TECHNICIAN).order_by("pk"))
    queues = seed_routing(technicians, Random(f"{ctx.seed}/{ctx.seeder_name}/routing"))
    task = ctx.progress.task("Tickets, time, surveys", len(clients))
    for client in clients:
        if Ticket.objects.filter(client=client).exists():
            task.advance()
            continue
        desk = load_desk(ctx, client, queues)
        with transaction.atomic():
            built, repeats = build(desk, window_start(ctx, client))
            counts = write(desk, built, repeats)
            audit.record(
                AuditAction.CREATE,
                object_type="servicedesk.ticket",
                object_repr=f"demo tickets of {client}",
                client_id=client.pk,
                after=counts,
            )
        task.advance()
