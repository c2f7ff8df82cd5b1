"""Demo data for agreements: a catalog, calendars in each client's country and zone, and per
client an MSA with one to three SOWs, an SLA policy (P1 on 24x7) and licenses, some of them
over- or under-assigned; then the reminders that are due. Everything goes through services."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from random import Random
from typing import Any

from steward.agreements import services
from steward.agreements.choices import HourPeriod, PausableStatus, PaymentTerms, Priority
from steward.agreements.models import Agreement, BusinessCalendar, ServiceOffering
from steward.agreements.renewals import Terms, term_dates
from steward.core.demo import DemoContext, demo_seeder
from steward.tenancy.models import Client

CATALOG = (
    ("Managed endpoints", "Patching, monitoring and support of laptops and desktops",
     (("endpoint", "Endpoint support"), ("patching", "Patching"))),
    ("Microsoft 365 administration", "Tenant, licences, mailboxes, Teams and SharePoint",
     (("m365", "Microsoft 365"), ("email", "E-mail"))),
    ("Backup and recovery", "Backup of servers and Microsoft 365, restore tests",
     (("backup", "Backup"), ("restore", "Restore requests"))),
    ("Security monitoring", "EDR, SIEM alerts triage and incident response",
     (("security-alert", "Security alerts"), ("incident", "Security incidents"))),
    ("Network management", "Firewalls, switches, Wi-Fi and VPN",
     (("network", "Network"), ("vpn", "VPN"))),
    ("Server management", "Windows and Linux servers, virtualisation",
     (("server", "Servers"),)),
)  # fmt: skip

# Time zone -> (holiday country, subdivision) for the business-hours calendars.
HOLIDAYS: dict[str, tuple[str, str | None]] = {
    "Europe/Berlin": ("DE", "BE"),
    "America/New_York": ("US", "NY"),
    "America/Chicago": ("US", "IL"),
    "Europe/London": ("GB", "ENG"),
    "Europe/Paris": ("FR", None),
    "Europe/Amsterdam": ("NL", None),
    "Australia/Sydney": ("AU", "NSW"),
    "Australia/Melbourne": ("AU", "VIC"),
    "Australia/Brisbane": ("AU", "QLD"),
}
CURRENCY = {"DE": "EUR", "FR": "EUR", "NL": "EUR", "US": "USD", "GB": "GBP", "AU": "AUD"}
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
LICENSES = (
    ("Microsoft", "Microsoft 365 Business Premium", Decimal("20.60"), Decimal("22.00")),
    ("Microsoft", "Defender for Business", Decimal("2.80"), Decimal("3.00")),
    ("Veeam", "Backup for Microsoft 365", Decimal("1.60"), Decimal("2.50")),
    ("Keeper", "Business password manager", Decimal("3.20"), Decimal("4.50")),
)
USERS = {"small": (5, 25), "medium": (26, 150), "large": (151, 600)}


def seed_catalog() -> list[ServiceOffering]:
    """The catalog, once (re-running finds it)."""
    offerings = []
    for name, description, categories in CATALOG:
        offering = ServiceOffering.objects.filter(name=name).first()
        if offering is None:
            offering = services.create_offering(name=name, description=description)
            for code, label in categories:
                services.create_category(offering, code=code, name=label)
        offerings.append(offering)
    return offerings


def shared_24x7() -> BusinessCalendar:
    found = BusinessCalendar.objects.filter(client=None, name="24x7").first()
    return found or services.create_calendar({"name": "24x7", "timezone": "UTC", "hours": "24x7"})


def office_calendar(client: Client, rng: Random) -> BusinessCalendar:
    """Business hours in the client's zone with its public holidays (lunch break sometimes)."""
    opens, closes = rng.choice((("08:00", "17:00"), ("08:30", "17:30"), ("09:00", "18:00")))
    day = [[opens, "12:30"], ["13:00", closes]] if rng.random() < 0.3 else [[opens, closes]]
    spec: dict[str, Any] = {
        "name": f"{client.name} business hours",
        "timezone": client.timezone,
        "hours": dict.fromkeys(WEEKDAYS, day),
    }
    country, subdivision = HOLIDAYS.get(client.timezone, (client.country or "", None))
    if country:
        spec["holidays"] = {"country": country} | (
            {"subdivision": subdivision} if subdivision else {}
        )
    return services.create_calendar(spec, client=client)


def seed_client(client: Client, ctx: DemoContext, offerings: list[ServiceOffering]) -> Agreement:
    rng = ctx.rng
    # Half the clients signed before their onboarding in Steward (a running contract moved
    # over), so some notice deadlines and renewals fall in the next few months.
    onboarded = client.onboarded_on or ctx.now.date()
    start = onboarded - timedelta(days=rng.choice((0, rng.randint(30, 700))))
    currency = CURRENCY.get(client.country, "EUR")
    agreement = services.create_agreement(
        client,
        reference=f"MSA-{client.code.upper()}-{start.year}",
        title="Managed services agreement",
        start_date=start,
        term_months=rng.choice((12, 12, 24, 36)),
        auto_renew=rng.random() < 0.85,
        notice_days=rng.choice((30, 60, 90, 90)),
        payment_terms=rng.choice(PaymentTerms.values[1:]),
        currency=currency,
    )
    low, high = USERS.get(client.size, (5, 25))
    users = rng.randint(low, high)
    _seed_sows(agreement, rng, offerings, users)
    _seed_policy(agreement, office_calendar(client, rng), shared_24x7(), ctx)
    _seed_licenses(client, agreement, rng, users, start, ctx.now.date(), currency)
    return agreement


def _seed_sows(
    agreement: Agreement, rng: Random, offerings: list[ServiceOffering], users: int
) -> None:
    titles = ("Managed workplace", "Security services", "Infrastructure")
    for index in range(rng.randint(1, 3)):
        included = rng.sample(offerings, rng.randint(2, 4))
        excluded = [o for o in offerings if o not in included][:1]
        services.create_sow(
            agreement,
            title=titles[index],
            start_date=agreement.start_date,
            included=included,
            excluded=excluded,
            device_count=int(users * rng.uniform(1.0, 1.6)),
            user_count=users,
            hours_per_period=Decimal(rng.choice((4, 8, 10, 20))),
            hour_period=HourPeriod.MONTHLY,
            monthly_fee=Decimal(users * rng.choice((45, 60, 75, 95))),
            one_off_fee=Decimal(rng.choice((0, 500, 1500, 2500))),
        )


def _seed_policy(
    agreement: Agreement, office: BusinessCalendar, always: BusinessCalendar, ctx: DemoContext
) -> None:
    hours = 3600
    services.create_sla_policy(
        agreement,
        name="Standard SLA",
        calendar=office,
        pause_statuses=[PausableStatus.WAITING_ON_CLIENT, PausableStatus.WAITING_ON_VENDOR],
        credit_percent=Decimal(5),
        credit_cap_percent=Decimal(20),
        now=ctx.now - timedelta(days=30 * ctx.months + 1),
        targets=[
            {"priority": Priority.P1, "response_seconds": hours // 4,
             "resolution_seconds": 4 * hours, "calendar": always},
            {"priority": Priority.P2, "response_seconds": hours, "resolution_seconds": 8 * hours},
            {"priority": Priority.P3, "response_seconds": 4 * hours,
             "resolution_seconds": 24 * hours},
            {"priority": Priority.P4, "response_seconds": 8 * hours,
             "resolution_seconds": 80 * hours},
        ],
    )  # fmt: skip


def _seed_licenses(
    client: Client,
    agreement: Agreement,
    rng: Random,
    users: int,
    start: date,
    today: date,
    currency: str,
) -> None:
    # Yearly subscriptions: the current year's term, so renewals fall in the months ahead.
    bought = start - timedelta(days=rng.randint(0, 330))
    term = term_dates(Terms(bought, 12, auto_renew=True, notice_days=0), today)
    for vendor, product, cost, price in LICENSES[: rng.randint(2, 4)]:
        seats = users if product != "Defender for Business" else int(users * 1.2)
        # Most are right; some over-assigned (a compliance risk), some under (paid, unused).
        assigned = seats + rng.choice((0, 0, 0, 2, -3, -1))
        services.create_license(
            client,
            agreement=agreement,
            vendor=vendor,
            product=product,
            seats=seats,
            assigned_seats=max(0, assigned),
            start_date=term.term_start,
            end_date=term.term_end,
            auto_renew=rng.random() < 0.8,
            unit_cost=cost,
            unit_price=price,
            currency=currency,
        )


@demo_seeder(order=200, name="agreements")
def seed_agreements(ctx: DemoContext) -> None:
    """After tenancy (100), before the obligations seeder (900) that measures agreements."""
    clients = ctx.clients or list(Client.objects.order_by("pk"))
    task = ctx.progress.task("Agreements, calendars, licenses", len(clients))
    offerings = seed_catalog()
    for client in clients:
        if not Agreement.objects.filter(client=client).exists():
            seed_client(client, ctx, offerings)
        task.advance()
    services.raise_reminders(ctx.now)
