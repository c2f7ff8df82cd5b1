"""Monitored services, incidents and maintenance for the status page tests: Acme's checks
(one hidden later), their states and results, tickets with public and internal entries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from django.core.cache import cache

from steward.monitoring import services as monitoring
from steward.monitoring.models import Asset, Check, CheckResult, CheckState, Collector
from steward.servicedesk import services as desk
from steward.servicedesk.choices import Status, TicketKind
from steward.servicedesk.models import Ticket
from steward.tenancy.models import Client
from tests.conftest import World

# Internal details that must never reach a status page.
HOSTNAME = "db01.internal.example"
ADDRESS = "10.1.2.3"
NOTE = "Internal: the root password is on the wiki"
PUBLIC_REPLY = "We are restoring the mail server from the backup."
CONTACT_REPLY = "Our office cannot send mail since 9:00."


@dataclass
class Services:
    collector: Collector
    asset: Asset
    web: Check
    mail: Check
    vpn: Check


def make_check(client: Client, collector: Collector, name: str, **fields: object) -> Check:
    return monitoring.create_check(
        client,
        collector=collector,
        type="tcp",
        name=name,
        params={"host": "example.com", "port": 443},
        **fields,
    )


def set_state(check: Check, state: str, at: datetime) -> None:
    CheckState.objects.update_or_create(
        of_check=check, defaults={"state": state, "since": at, "last_result_at": at}
    )


def write_results(check: Check, rows: list[tuple[datetime, str]]) -> None:
    CheckResult.objects.bulk_create(CheckResult(of_check=check, at=at, state=s) for at, s in rows)


def every(
    start: datetime, end: datetime, step: timedelta, state: str
) -> list[tuple[datetime, str]]:
    found = []
    at = start
    while at < end:
        found.append((at, state))
        at += step
    return found


def services_of(client: Client, prefix: str) -> Services:
    collector, _ = monitoring.create_collector(client, kind="collector", name=f"{prefix} probe")
    asset = monitoring.create_asset(
        client, name=f"{prefix} database", hostname=HOSTNAME, addresses=[ADDRESS]
    )
    return Services(
        collector,
        asset,
        make_check(client, collector, f"{prefix} website", asset=asset, interval_s=60),
        make_check(client, collector, f"{prefix} mail", interval_s=60),
        make_check(client, collector, f"{prefix} vpn", interval_s=60),
    )


def incidents(world: World, now: datetime) -> dict[str, Ticket]:
    """An open incident with a public reply, an internal note and a contact's reply; an open
    incident nobody spoke about; a resolved incident; an open service request."""
    spoken = desk.open_ticket(
        world.acme, subject="Mail delivery delayed", at=now - timedelta(hours=2), by=world.bob
    )
    desk.reply(spoken, PUBLIC_REPLY, by=world.bob, at=now - timedelta(hours=1))
    desk.reply(spoken, NOTE, by=world.bob, public=False, at=now - timedelta(minutes=50))
    desk.reply(spoken, CONTACT_REPLY, by_contact=world.acme_contact, at=now - timedelta(minutes=40))
    silent = desk.open_ticket(world.acme, subject="Disk filling up", at=now - timedelta(hours=3))
    done = desk.open_ticket(world.acme, subject="Printer offline", at=now - timedelta(days=2))
    desk.reply(done, "Fixed.", by=world.bob, at=now - timedelta(days=1, hours=1))
    desk.change_status(done, Status.RESOLVED, by=world.bob, at=now - timedelta(days=1))
    request = desk.open_ticket(
        world.acme,
        subject="New laptop for Jane",
        kind=TicketKind.SERVICE_REQUEST,
        at=now - timedelta(hours=1),
    )
    desk.reply(request, "Ordered.", by=world.bob, at=now - timedelta(minutes=30))
    return {"spoken": spoken, "silent": silent, "done": done, "request": request}


@pytest.fixture(autouse=True)
def _fresh_status_cache() -> None:
    """Settled days are cached per check id; ids come back in a new test's database."""
    cache.clear()
