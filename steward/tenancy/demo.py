"""Demo tenants: clients of several sizes, industries and countries, their sites and contacts
(some with portal logins), and the MSP's staff. Everything is written through the services, so
each row is audited as if an operator had typed it.
"""

from __future__ import annotations

import os
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils.text import slugify

from steward.core.demo import Credential, DemoContext, DemoRefused, demo_seeder
from steward.tenancy import services
from steward.tenancy.choices import ClientSize, ClientStatus, Role
from steward.tenancy.models import Client, Contact, Site, User


@dataclass(frozen=True)
class Country:
    code: str
    locale: str
    tld: str
    suffixes: tuple[str, ...]
    weight: int
    cities: tuple[tuple[str, str], ...]  # (city, time zone)


def _in(zone: str, *cities: str) -> tuple[tuple[str, str], ...]:
    return tuple((city, zone) for city in cities)


COUNTRIES = (
    Country("DE", "de_DE", "de", ("GmbH", "GmbH & Co. KG", "AG"), 30, _in(
        "Europe/Berlin", "Berlin", "Hamburg", "München", "Köln", "Frankfurt am Main",
        "Stuttgart", "Düsseldorf", "Leipzig", "Dresden", "Hannover", "Nürnberg", "Bremen",
    )),
    Country("US", "en_US", "com", ("LLC", "Inc."), 25, _in(
        "America/New_York", "New York", "Boston", "Philadelphia", "Atlanta", "Charlotte",
    ) + _in("America/Chicago", "Chicago", "Dallas", "Houston", "Minneapolis", "St. Louis")),
    Country("GB", "en_GB", "co.uk", ("Ltd", "LLP"), 15, _in(
        "Europe/London", "London", "Manchester", "Birmingham", "Leeds", "Bristol", "Edinburgh",
        "Glasgow", "Cardiff",
    )),
    Country("FR", "fr_FR", "fr", ("SARL", "SAS"), 10, _in(
        "Europe/Paris", "Paris", "Lyon", "Marseille", "Toulouse", "Lille", "Nantes", "Bordeaux",
    )),
    Country("AU", "en_AU", "com.au", ("Pty Ltd",), 10, _in(
        "Australia/Sydney", "Sydney", "Newcastle", "Wollongong",
    ) + _in("Australia/Melbourne", "Melbourne", "Geelong") + _in("Australia/Brisbane", "Brisbane")),
    Country("NL", "nl_NL", "nl", ("B.V.",), 10, _in(
        "Europe/Amsterdam", "Amsterdam", "Rotterdam", "Utrecht", "Den Haag", "Eindhoven",
    )),
)  # fmt: skip


@dataclass(frozen=True)
class Industry:
    name: str
    patterns: tuple[str, ...]  # {last}, {last2}, {city}; a trailing "+" takes a legal suffix
    sizes: tuple[int, int, int]  # weights for small, medium, large
    lead_title: str
    site_kind: str


INDUSTRIES = (
    Industry("Dental practice", ("{last} Dental", "{city} Dental Care"), (8, 2, 0),
             "Practice manager", "practice"),
    Industry("Law firm", ("{last} & {last2}", "{last} {last2} Legal+"), (4, 4, 2),
             "Managing partner", "office"),
    Industry("Manufacturer", ("{last} Precision Engineering+", "{last} Plastics+",
                              "{city} Metalworks+"), (1, 4, 4), "IT manager", "plant"),
    Industry("Architecture studio", ("{last} Architects", "Studio {last}",
                                     "{last} + {last2} Architecture"), (6, 3, 0),
             "Studio director", "studio"),
    Industry("Charity", ("{city} Community Trust", "{last} Foundation", "Friends of {city}"),
             (5, 3, 1), "Operations lead", "office"),
    Industry("Logistics", ("{last} Logistics+", "{city} Freight+", "{last} Transport+"),
             (1, 4, 4), "Head of operations", "depot"),
    Industry("Accounting", ("{last} & Co Accountants", "{last} {last2} Tax Advisors+"),
             (5, 4, 1), "Senior partner", "office"),
    Industry("School", ("{city} Grammar School", "{city} Academy", "{last} College"), (2, 5, 2),
             "Head teacher", "campus"),
    Industry("Veterinary clinic", ("{city} Animal Hospital", "{last} Vets"), (7, 2, 0),
             "Clinic manager", "clinic"),
    Industry("Hotel", ("The {last} Hotel", "{city} Grand Hotel+"), (3, 4, 2),
             "General manager", "hotel"),
    Industry("Property management", ("{last} Property Services+", "{city} Estates+"),
             (4, 4, 1), "Office manager", "office"),
    Industry("Medical practice", ("{city} Medical Centre", "{last} Family Practice"),
             (6, 3, 1), "Practice manager", "practice"),
)  # fmt: skip

# Seats, site count and contact count ranges by size.
SIZES: dict[str, tuple[tuple[int, int], tuple[int, int], tuple[int, int]]] = {
    ClientSize.SMALL: ((4, 25), (1, 1), (2, 6)),
    ClientSize.MEDIUM: ((26, 150), (1, 3), (6, 15)),
    ClientSize.LARGE: ((151, 900), (2, 5), (15, 40)),
}
TITLES = (
    "Office manager", "Finance director", "Receptionist", "HR manager", "Operations manager",
    "Accounts assistant", "Team lead", "Project manager", "Sales manager", "Facilities manager",
    "Administrator", "Director", "Marketing coordinator", "Analyst", "Assistant",
)  # fmt: skip
PORTAL_SHARE = 0.25  # contacts besides the primary one who get a portal login
MSP_DOMAIN = "msp.example"


def ascii_name(text: str) -> str:
    """Lower-case ASCII for e-mail addresses and usernames ("Müller" -> "muller")."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


def demo_password() -> str:
    return os.environ.get("STEWARD_DEMO_PASSWORD") or secrets.token_urlsafe(12)


class Taken:
    """Names already used, in the database and in this run, so --append never collides."""

    def __init__(self) -> None:
        self.names = set(Client.objects.values_list("name", flat=True))
        self.codes = set(Client.objects.values_list("code", flat=True))
        self.usernames = set(User.objects.values_list("username", flat=True))

    def unique(self, pool: set[str], wanted: str, limit: int, sep: str = "-") -> str:
        candidate, n = wanted[:limit], 2
        while candidate in pool:
            tail = f"{sep}{n}"
            candidate, n = wanted[: limit - len(tail)] + tail, n + 1
        pool.add(candidate)
        return candidate


@dataclass
class Plan:
    """One client decided before anything is written (the random draws happen here)."""

    fields: dict[str, Any]
    country: Country
    domain: str
    hq: tuple[str, str]  # (city, time zone) of the main site
    sites: int
    contacts: int
    lead_title: str
    site_kind: str
    onboarded_at: datetime


def _onboarding_dates(ctx: DemoContext, count: int) -> list[date]:
    """Most of the book signed up at the start of the window, the rest spread over it."""
    today = ctx.now.date()
    start = today - timedelta(days=round(ctx.months * 30.44))
    span = max((today - start).days - 7, 1)
    days = [
        ctx.rng.randint(0, 27) if ctx.rng.random() < 0.6 else ctx.rng.randint(0, span)
        for _ in range(count)
    ]
    return sorted(start + timedelta(days=d) for d in days)


def _client_name(
    ctx: DemoContext, industry: Industry, country: Country, city: str
) -> tuple[str, str]:
    """The name, and the word it is known by (for its code and e-mail domain)."""
    fake = ctx.faker[country.locale]
    pattern = ctx.rng.choice(industry.patterns)
    last, last2 = fake.last_name(), fake.last_name()
    name = pattern.rstrip("+").format(last=last, last2=last2, city=city)
    if pattern.endswith("+"):
        name = f"{name} {ctx.rng.choice(country.suffixes)}"
    return name, (last if "{last}" in pattern else city)


def plan_client(ctx: DemoContext, taken: Taken, onboarded: date) -> Plan:
    country = ctx.rng.choices(COUNTRIES, weights=[c.weight for c in COUNTRIES])[0]
    industry = ctx.rng.choice(INDUSTRIES)
    size = ctx.rng.choices(list(SIZES), weights=industry.sizes)[0]
    (seat_lo, seat_hi), (site_lo, site_hi), (contact_lo, contact_hi) = SIZES[size]
    hq = ctx.rng.choice(country.cities)
    wanted, known_as = _client_name(ctx, industry, country, hq[0])
    name = taken.unique(taken.names, wanted, 200, sep=" ")
    word = slugify(known_as)
    word = word if len(word) <= 12 else word.split("-")[0][:12]
    code = taken.unique(taken.codes, f"{word}-{industry.site_kind}", 20)
    domain = f"{code}.{country.tld}"
    onboarded_at = datetime.combine(onboarded, time(9), ZoneInfo(hq[1]))
    recent = (ctx.now - onboarded_at).days < 30
    fields = {
        "name": name,
        "code": code,
        "status": ClientStatus.ONBOARDING if recent else ClientStatus.ACTIVE,
        "industry": industry.name,
        "size": size,
        "timezone": hq[1],
        "country": country.code,
        "website": f"https://www.{domain}",
        "notes": f"About {ctx.rng.randint(seat_lo, seat_hi)} seats.",
        "onboarded_on": onboarded,
        "created_at": onboarded_at,
    }
    sites = ctx.rng.randint(site_lo, site_hi)
    contacts = ctx.rng.randint(contact_lo, contact_hi)
    return Plan(
        fields, country, domain, hq, sites, contacts, industry.lead_title, industry.site_kind,
        onboarded_at,
    )  # fmt: skip


def _seed_sites(ctx: DemoContext, client: Client, plan: Plan) -> list[Site]:
    """The main site in the client's home city, branches in other cities of its country."""
    fake = ctx.faker[plan.country.locale]
    others = [c for c in plan.country.cities if c != plan.hq]
    places = [plan.hq, *ctx.rng.sample(others, min(plan.sites - 1, len(others)))]
    sites: list[Site] = []
    for n, (city, zone) in enumerate(places):
        label = f"Main {plan.site_kind}" if n == 0 else f"{city} {plan.site_kind}"
        sites.append(
            services.create_site(
                client,
                name=label,
                address=fake.street_address(),
                city=city,
                postcode=fake.postcode()[:20],
                country=plan.country.code,
                timezone=zone,
                created_at=plan.onboarded_at,
            )
        )
    return sites


def _contact_date(ctx: DemoContext, plan: Plan, primary: bool) -> datetime:
    if primary or ctx.rng.random() < 0.7:
        return plan.onboarded_at
    seconds = max(int((ctx.now - plan.onboarded_at).total_seconds()), 1)
    return plan.onboarded_at + timedelta(seconds=ctx.rng.randrange(seconds))


def _seed_contacts(
    ctx: DemoContext, client: Client, plan: Plan, sites: list[Site], taken: Taken
) -> list[Contact]:
    fake = ctx.faker[plan.country.locale]
    emails: set[str] = set()
    contacts: list[Contact] = []
    for n in range(plan.contacts):
        primary = n == 0
        first, last = fake.first_name(), fake.last_name()
        local = taken.unique(emails, f"{ascii_name(first)}.{ascii_name(last)}", 60)
        email = f"{local}@{plan.domain}"
        user = None
        if primary or ctx.rng.random() < PORTAL_SHARE:
            username = taken.unique(taken.usernames, email, 150)
            user = services.create_user(
                username=username, role=Role.CLIENT_CONTACT, client=client,
                first_name=first[:150], last_name=last[:150], email=email,
            )  # fmt: skip
        contacts.append(
            services.create_contact(
                client,
                site=ctx.rng.choice(sites),
                first_name=first[:100],
                last_name=last[:100],
                email=email,
                phone=fake.phone_number()[:40],
                title=plan.lead_title if primary else ctx.rng.choice(TITLES),
                is_primary=primary,
                user=user,
                created_at=_contact_date(ctx, plan, primary),
            )
        )
    return contacts


def staff_counts(clients: int) -> dict[str, int]:
    """How many of each staff role an MSP with ``clients`` clients employs."""
    return {
        Role.ADMIN: 1 + clients // 100,
        Role.SERVICE_MANAGER: 1 + clients // 50,
        Role.DISPATCHER: 1 + clients // 60,
        Role.TECHNICIAN: clients // 8 + 3,
        Role.ACCOUNT_MANAGER: 1 + clients // 15,
        Role.AUDITOR: 1,
    }


def _book(clients: list[Client], staff: int, index: int, per_client: int) -> list[Client]:
    """Round-robin: each client gets ``per_client`` of ``staff`` people; this is person
    ``index``'s share."""
    return [
        c for i, c in enumerate(clients) if any((i + k) % staff == index for k in range(per_client))
    ]


def _seed_staff(ctx: DemoContext, clients: list[Client], taken: Taken) -> dict[str, list[User]]:
    counts = staff_counts(len(clients))
    task = ctx.progress.task("Staff", sum(counts.values()))
    fake = ctx.faker["en_GB"]
    staff: dict[str, list[User]] = {}
    with transaction.atomic():
        for role, count in counts.items():
            for n in range(count):
                first, last = fake.first_name(), fake.last_name()
                assigned: list[Client] = []
                if role == Role.TECHNICIAN:
                    assigned = _book(clients, count, n, min(2, count))
                elif role == Role.ACCOUNT_MANAGER:
                    assigned = _book(clients, count, n, 1)
                wanted = f"{ascii_name(first)}.{ascii_name(last)}"
                user = services.create_user(
                    username=taken.unique(taken.usernames, wanted, 150),
                    role=role, first_name=first, last_name=last,
                    email=f"{wanted}@{MSP_DOMAIN}", assigned_clients=assigned,
                    # One senior technician covers every client.
                    sees_all_clients=role == Role.TECHNICIAN and n == count - 1,
                )  # fmt: skip
                staff.setdefault(role, []).append(user)
                task.advance()
    return staff


def _demo_logins(ctx: DemoContext, staff: dict[str, list[User]], taken: Taken) -> None:
    """Give one technician and one portal contact a known username and a printed password,
    and create an owner when there is none (a plain `steward demo` on an empty database)."""
    password = demo_password()
    if not User.objects.filter(role=Role.OWNER).exists() and "owner" not in taken.usernames:
        services.create_user(
            username="owner", role=Role.OWNER, password=password, email=f"owner@{MSP_DOMAIN}",
            is_staff=True, is_superuser=True,
        )  # fmt: skip
        ctx.credentials.append(Credential("owner", "owner", password))
    logins = [("technician", staff[Role.TECHNICIAN][0], "tech")]
    first_contact = Contact.objects.filter(client=ctx.clients[0], is_primary=True).first()
    if first_contact is not None and first_contact.user is not None:
        logins.append(("client contact", first_contact.user, "contact"))
    for label, user, username in logins:
        if username in taken.usernames:
            continue
        taken.usernames.add(username)
        services.update_user(user, {"username": username, "password": password})
        ctx.credentials.append(Credential(f"{label} ({user.get_full_name()})", username, password))


@demo_seeder(order=100, name="tenancy")
def seed_tenancy(ctx: DemoContext) -> None:
    """Clients with sites, contacts and portal logins, then the staff who serve them."""
    if Client.objects.exists() and not ctx.append:
        count = Client.objects.count()
        raise DemoRefused(
            f"the database already holds {count} client(s); demo data goes into an empty "
            "database. Use --append to add demo clients beside them."
        )
    taken = Taken()
    task = ctx.progress.task("Clients, sites, contacts", ctx.client_count)
    created: list[Client] = []
    for onboarded in _onboarding_dates(ctx, ctx.client_count):
        plan = plan_client(ctx, taken, onboarded)
        # One transaction per client: one commit (one fsync on SQLite) instead of one per row.
        with transaction.atomic():
            client = services.create_client(**plan.fields)
            sites = _seed_sites(ctx, client, plan)
            _seed_contacts(ctx, client, plan, sites, taken)
        created.append(client)
        task.advance()
    ctx.clients.extend(created)
    staff = _seed_staff(ctx, created, taken)
    ctx.shared["staff"] = staff
    _demo_logins(ctx, staff, taken)
