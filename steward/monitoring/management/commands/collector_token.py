"""`steward collector-token create --client C --kind collector|agent --name N` prints a new
collector or agent token (once); `--hosted` instead of `--client` makes a hosted collector, which
may run checks of any client; `list` and `revoke ID` manage them."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from steward.monitoring.choices import CollectorKind
from steward.monitoring.models import Collector
from steward.monitoring.services import create_collector, revoke_collector
from steward.tenancy.commands import find_client


class Command(BaseCommand):
    help = (
        "Collector and agent tokens: `create --client C --kind collector|agent --name N`, "
        "`list`, `revoke ID`."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a collector or agent; print its token once")
        owner = create.add_mutually_exclusive_group(required=True)
        owner.add_argument("--client", help="the client's code, name or id")
        owner.add_argument(
            "--hosted", action="store_true", help="a hosted collector: checks of any client"
        )
        create.add_argument("--kind", choices=CollectorKind.values, default=CollectorKind.COLLECTOR)
        create.add_argument("--name", required=True)
        listing = sub.add_parser("list", help="list collectors and agents (never their tokens)")
        listing.add_argument("--client")
        revoke = sub.add_parser("revoke", help="revoke a collector's or agent's token by id")
        revoke.add_argument("collector_id", type=int)

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        getattr(self, f"_{action}")(**options)

    def _create(self, client: str | None, hosted: bool, kind: str, name: str, **_: Any) -> None:
        try:
            owner = None if hosted else find_client(client or "")
            _collector, token = create_collector(owner, kind=kind, name=name)
        except ValidationError as exc:
            raise CommandError(
                "; ".join(f"--{k}: {', '.join(v)}" for k, v in exc.message_dict.items())
            ) from None
        self.stdout.write(token)

    def _list(self, client: str | None, **_: Any) -> None:
        collectors = Collector.objects.select_related("client").order_by("pk")
        if client:
            collectors = collectors.filter(client=find_client(client))
        for c in collectors:
            state = "revoked" if c.revoked_at else "active"
            seen = c.last_seen_at.isoformat() if c.last_seen_at else "never"
            owner = c.client.code if c.client else "(hosted)"
            self.stdout.write(f"{c.pk}\t{owner}\t{c.kind}\t{c.name}\t{state}\t{seen}")

    def _revoke(self, collector_id: int, **_: Any) -> None:
        collector = Collector.objects.filter(pk=collector_id).first()
        if collector is None:
            raise CommandError(f"collector {collector_id}: no such collector or agent")
        revoke_collector(collector)
        self.stdout.write(f"collector {collector_id} revoked")
